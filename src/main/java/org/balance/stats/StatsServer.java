package org.balance.stats;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.balance.balancing.Routing;
import org.balance.log.Log;

/**
 * The statistics endpoint ({@code --stats}): the JDK's own HTTP server (its dispatcher thread) with one thread of
 * ours, {@code balance-stats}, that answers the requests and takes the dashboard's samples once a second. The relay's event loops never see it, and without {@code --stats} none
 * of this is loaded.
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text format;</li>
 *   <li>{@code GET /status.json}: the state as JSON (what {@code json} prints), with the recent state changes;</li>
 *   <li>{@code GET /history.json}: the last minutes per channel, for the dashboard's charts;</li>
 *   <li>{@code GET /}: the dashboard ({@code dashboard.html}, {@code .js}, {@code .css}, all from the jar);</li>
 *   <li>{@code POST /api/enable}, {@code /api/disable}, {@code /api/maxc} with {@code group}, {@code channel} (and
 *       {@code maxc}) parameters: only with the token in the {@value #TOKEN_HEADER} header, otherwise 403.</li>
 * </ul>
 * Only requests naming the endpoint in their Host header are answered ({@link HostCheck}): others get 421 and no data.
 */
public final class StatsServer {
    public static final String TOKEN_HEADER = "X-Balance-Token";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "dashboard.html", "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

    /** Runs one control command line in a group and returns its answer (the control socket's commands). */
    public interface Commands {
        String run(int group, String line) throws Exception;
    }

    private final HttpServer http;
    private final ScheduledExecutorService thread;
    private final Supplier<Snapshot> snapshots;
    private final History history;
    private final Commands commands;
    private final Token token;
    private final HostCheck hosts;
    private final String version;
    private final String transport;
    private final Log log;

    private StatsServer(HttpServer http, ScheduledExecutorService thread, Supplier<Snapshot> snapshots, Routing routing,
                        Commands commands, Token token, HostCheck hosts, String version, String transport, Log log) {
        this.http = http;
        this.thread = thread;
        this.snapshots = snapshots;
        this.history = new History(snapshots, routing);
        this.commands = commands;
        this.token = token;
        this.hosts = hosts;
        this.version = version;
        this.transport = transport;
        this.log = log;
    }

    /**
     * Listens on {@code address}. {@code tokenFile} is where the token is written (null: no token, the
     * dashboard is read-only), {@code commands} what runs the changes (null: none), {@code hostNames} the names
     * besides its own address and localhost that requests may give in their Host header.
     */
    public static StatsServer start(InetSocketAddress address, Supplier<Snapshot> snapshots, Routing routing,
                                    Commands commands, Path tokenFile, List<String> hostNames, String version,
                                    String transport, Log log)
            throws IOException {
        HttpServer http = HttpServer.create(address, 16);
        Token token;
        try {
            // after the bind: a start that fails on a taken port leaves no file behind
            token = tokenFile == null || commands == null ? null : Token.create(tokenFile);
        } catch (IOException | RuntimeException e) {
            http.stop(0);
            throw e;
        }
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "balance-stats");
            t.setDaemon(true);
            return t;
        });
        StatsServer server = new StatsServer(http, thread, snapshots, routing, commands, token,
                new HostCheck(hostNames), version, transport, log);
        http.setExecutor(thread);
        http.createContext("/", server::handle);
        http.start();
        thread.scheduleAtFixedRate(server::sample, 0, 1, TimeUnit.SECONDS);
        if (log.isDebug()) {
            log.debug("statistics on http://" + server.describe() + "/" + (token == null ? "" : ", token in " + token.file()));
        }
        return server;
    }

    /** The bound address (the port chosen when 0 was asked). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private String describe() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The token file, or null when the dashboard is read-only. */
    public Path tokenFile() {
        return token == null ? null : token.file();
    }

    public void stop() {
        http.stop(0);
        thread.shutdownNow();
        history.close();
        if (token != null) {
            token.remove();
        }
    }

    private void sample() {
        try {
            history.sample();
        } catch (RuntimeException e) {
            log.error("statistics: " + e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            switch (hosts.check(exchange.getRequestHeaders().get("Host"), exchange.getProtocol(),
                    exchange.getLocalAddress().getAddress())) {
                case MISDIRECTED -> {
                    reply(exchange, 421, "text/plain; charset=utf-8", "this endpoint answers only to its address,"
                            + " localhost and the names given with --stats-host\n");
                    return;
                }
                case BAD_REQUEST -> {
                    reply(exchange, 400, "text/plain; charset=utf-8", "one Host header, host[:port], is needed\n");
                    return;
                }
                case ANSWER -> {
                }
            }
            if (path.startsWith("/api/")) {
                if (!method.equals("POST")) {
                    reply(exchange, 405, "application/json", "{\"error\":\"POST only\"}");
                    return;
                }
                change(exchange, path.substring("/api/".length()));
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
                return;
            }
            switch (path) {
                case "/metrics" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                    PrometheusText.write(snapshots.get(), version, transport, out);
                    reply(exchange, 200, PrometheusText.CONTENT_TYPE, out.toByteArray());
                }
                case "/status.json" -> reply(exchange, 200, "application/json",
                        StatusJson.write(snapshots.get(), version, history.changes()).toString());
                case "/history.json" -> reply(exchange, 200, "application/json", history.json());
                default -> asset(exchange, path);
            }
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            log.error("statistics: " + e);
            reply(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
        }
    }

    private void asset(HttpExchange exchange, String path) throws IOException {
        String name = ASSETS.get(path);
        if (name == null) {
            reply(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            return;
        }
        byte[] body;
        try (InputStream in = StatsServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        // Nothing from elsewhere, no inline script, no framing by other sites.
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        reply(exchange, 200, type, body);
    }

    /** enable, disable, maxc: with the token only, through the control commands. */
    private void change(HttpExchange exchange, String what) throws IOException {
        if (token == null || !token.matches(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
            reply(exchange, 403, "application/json", "{\"error\":\"the token is needed for changes\"}");
            return;
        }
        Map<String, String> q = query(exchange.getRequestURI());
        Integer group = number(q.get("group"));
        Integer channel = number(q.get("channel"));
        Integer maxc = number(q.get("maxc"));
        String line = switch (what) {
            case "enable", "disable" -> channel == null ? null : what + " " + channel;
            case "maxc" -> channel == null || maxc == null ? null : "maxc " + channel + " " + maxc;
            default -> null;
        };
        if (line == null || group == null || group >= 32) {
            reply(exchange, 400, "application/json", "{\"error\":\"enable, disable or maxc with group, channel (and maxc)\"}");
            return;
        }
        String answer;
        try {
            answer = commands.run(group, line).strip();
        } catch (Exception e) {
            answer = "internal error: " + e;
        }
        log.notice("statistics endpoint: group " + group + ": " + line + ": " + answer);
        Json j = new Json().open().member("command", line).member("group", group).member("answer", answer).close();
        reply(exchange, 200, "application/json", j.toString());
    }

    private static Integer number(String s) {
        if (s == null || s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Integer.parseInt(s);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return q;
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        reply(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
