package org.balance.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.support.Backend;
import org.balance.support.Exposition;
import org.balance.support.InProcessBalance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The statistics endpoint of a running balance: /metrics against the channels' own counters, JSON, the token. */
@Timeout(60)
class StatsIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(InetSocketAddress at, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url(at, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(InetSocketAddress at, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(at, path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header(StatsServer.TOKEN_HEADER, token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI url(InetSocketAddress at, String path) {
        return URI.create("http://127.0.0.1:" + at.getPort() + path);
    }

    /** One session: sends a line, reads the echo, closes. Returns what came back. */
    static String session(int port, String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void metricsCountWhatShowCountsAndMore() throws Exception {
        int dead = deadPort();
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(List.of("--stats", "0"), a.channel(), "127.0.0.1:" + dead)) {
            InetSocketAddress at = b.runtime.stats().address();
            assertTrue(at.getAddress().isLoopbackAddress(), "a port alone listens on loopback: " + at);
            for (int i = 0; i < 6; i++) {
                assertEquals("hello " + i + "\n", session(b.port, "hello " + i));
            }
            waitUntil(() -> b.runtime.sessions().inProgress() == 0 && b.currentConnections() == 0, "sessions to end");
            // nothing available: every channel disabled
            b.channel(0, 0).disable();
            b.channel(0, 1).disable();
            try {
                assertEquals("", session(b.port, "nobody"));
            } catch (java.net.SocketException e) {
                // closed with the line unread: a reset is as good as an end
            }
            waitUntil(() -> b.runtime.sessions().inProgress() == 0, "the refused client to close");

            HttpResponse<String> r = get(at, "/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Exposition m = Exposition.parse(r.body());
            String promtool = Exposition.promtool(r.body());
            assertTrue(promtool == null || promtool.isEmpty(), "promtool check metrics: " + promtool);

            Destination da = b.channel(0, 0);
            String[] la = {"group", "0", "channel", "0", "address", "127.0.0.1:" + a.port()};
            String[] ld = {"group", "0", "channel", "1", "address", "127.0.0.1:" + dead};
            assertEquals(6, da.totalConnections());
            assertEquals(da.totalConnections(), m.value("balance_channel_sessions_total", la));
            assertEquals(da.bytesSent(), m.value("balance_channel_sent_bytes_total", la));
            assertEquals(da.bytesReceived(), m.value("balance_channel_received_bytes_total", la));
            assertEquals(0, m.value("balance_channel_current_sessions", la));
            assertEquals(0, m.value("balance_channel_max_sessions", la));
            assertEquals(1, m.value("balance_channel_weight", la));
            assertEquals(6, m.value("balance_channel_connect_duration_seconds_count", la));
            assertTrue(m.value("balance_channel_connect_duration_seconds_sum", la) > 0);
            assertEquals(0, m.value("balance_channel_connect_duration_seconds_count", ld));
            // round robin sent half of the sessions to the dead channel first: refused, then failed over
            double refused = m.value("balance_channel_connect_failures_total", concat(ld, "reason", "refused"));
            assertEquals(b.channel(0, 1).totalConnections(), refused);
            assertTrue(refused >= 3, "refused " + refused);
            assertEquals(0, m.value("balance_channel_connect_failures_total", concat(ld, "reason", "timeout")));
            assertEquals(0, m.value("balance_channel_connect_failures_total", concat(la, "reason", "refused")));
            // the state: one series per value
            assertEquals(1, m.value("balance_channel_state", concat(la, "state", "disabled")));
            assertEquals(0, m.value("balance_channel_state", concat(la, "state", "enabled")));
            assertEquals(0, m.value("balance_channel_state", concat(la, "state", "down")));
            assertEquals(7, m.value("balance_accepted_sessions_total"));
            assertEquals(1, m.value("balance_unavailable_sessions_total"));
            assertEquals(0, m.value("balance_sessions_in_progress"));
            assertTrue(m.value("balance_open_fds") > 0 && m.value("balance_max_fds") >= m.value("balance_open_fds"));
            assertEquals(1, m.value("balance_build_info", "version", "4.0"));
            assertTrue(m.find("balance_channel_check_up").isEmpty(), "no check series without checks");
            assertFalse(r.body().contains("127.0.0.1:" + b.port), "never the client side");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void checkResultsWhenChecksExist() throws Exception {
        int dead = deadPort();
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(List.of("--stats", "0", "--check-interval", "0.05",
                     "--check-fall", "1", "--check-rise", "1"), a.channel(), "127.0.0.1:" + dead)) {
            waitUntil(() -> b.channel(0, 1).isDown(), "the dead channel to be taken out");
            Exposition m = Exposition.parse(get(b.runtime.stats().address(), "/metrics").body());
            String[] la = {"group", "0", "channel", "0"};
            String[] ld = {"group", "0", "channel", "1"};
            assertEquals(1, m.value("balance_channel_check_up", la));
            assertEquals(0, m.value("balance_channel_check_up", ld));
            assertEquals(1, m.value("balance_channel_state", concat(ld, "state", "down")));
            assertTrue(m.value("balance_channel_checks_total", concat(ld, "result", "failed")) >= 1);
            assertTrue(m.value("balance_channel_checks_total", concat(la, "result", "passed")) >= 1);
        }
    }

    @Test
    void statusJsonAndChangesOnlyWithTheToken(@TempDir Path run) throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend c = new Backend("c", Backend.IDENTIFY);
             InProcessBalance b = InProcessBalance.start(run, List.of("--stats", "0"), a.channel(), c.channel())) {
            InetSocketAddress at = b.runtime.stats().address();
            Path tokenFile = b.runtime.stats().tokenFile();
            assertNotNull(tokenFile);
            assertEquals(run, tokenFile.getParent(), "beside the control socket");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).strip();
            assertTrue(token.length() >= 32, token);

            String json = get(at, "/status.json").body();
            assertTrue(json.contains("\"port\":" + a.port()) && json.contains("\"state\":\"ENA\""), json);
            assertTrue(json.contains("\"changes\":["), json);

            assertEquals(403, post(at, "/api/disable?group=0&channel=1", null).statusCode());
            String wrong = (token.charAt(0) == '0' ? "1" : "0") + token.substring(1); // one character off, never the token
            assertEquals(403, post(at, "/api/disable?group=0&channel=1", wrong).statusCode());
            assertEquals(405, get(at, "/api/disable?group=0&channel=1").statusCode());
            assertTrue(b.channel(0, 1).isEnabled(), "no change without the token");

            HttpResponse<String> r = post(at, "/api/disable?group=0&channel=1", token);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("channel 1 disabled"), r.body());
            assertFalse(b.channel(0, 1).isEnabled());
            for (int i = 0; i < 4; i++) {
                assertTrue(session(b.port, "x").startsWith("a\n"), "new sessions avoid the disabled channel");
            }
            r = post(at, "/api/maxc?group=0&channel=0&maxc=7", token);
            assertTrue(r.body().contains("maxc of channel 0 changed to 7"), r.body());
            assertEquals(7, b.channel(0, 0).maxConnections());
            assertEquals(400, post(at, "/api/maxc?group=0&channel=0", token).statusCode());
            r = post(at, "/api/enable?group=0&channel=1", token);
            assertTrue(r.body().contains("channel 1 enabled"), r.body());
            assertTrue(b.channel(0, 1).isEnabled());

            // the history saw both changes (sampled every second)
            waitUntil(() -> {
                try {
                    return get(at, "/status.json").body().contains("\"from\":\"DIS\",\"to\":\"ENA\"");
                } catch (Exception e) {
                    return false;
                }
            }, "the changes in status.json");
            assertTrue(get(at, "/history.json").body().contains("\"0.1\":{\"sent\":["));
            assertEquals(404, get(at, "/nothing").statusCode());
            HttpResponse<String> page = get(at, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"dashboard.js\""), "the dashboard");
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
            assertFalse(page.body().contains("http://") || page.body().contains("https://"), "nothing from elsewhere");
            assertTrue(get(at, "/dashboard.js").body().contains("X-Balance-Token"));
            assertEquals(200, get(at, "/dashboard.css").statusCode());
            b.close();
            assertFalse(Files.exists(tokenFile), "the token goes with the instance");
        }
    }

    /** One request on a raw socket, with {@code hostLine} (a whole header line, or "") as its Host; the answer. */
    static String raw(InetSocketAddress at, String requestLine, String hostLine) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), at.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((requestLine + "\r\n" + hostLine + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /**
     * DNS rebinding: a page of evil.example whose name comes to resolve to 127.0.0.1 may send the operator's browser
     * to the endpoint, with "Host: evil.example". Only the endpoint's own address, localhost and the names given
     * with --stats-host (and the name in --stats) are answered; others get 421 and nothing of the data.
     */
    @Test
    void answersOnlyItsOwnHostNames() throws Exception {
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(List.of("--stats", "0", "--stats-host", "Stats.Example.COM",
                     "--stats-host=lb1"), a.channel())) {
            InetSocketAddress at = b.runtime.stats().address();
            int port = at.getPort();
            for (String path : List.of("/metrics", "/status.json", "/history.json", "/")) {
                for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.2:" + port, "[::1]:" + port,
                        "localhost.evil.example", "stats.example.com.evil.example", "")) {
                    String answer = raw(at, "GET " + path + " HTTP/1.1", "Host: " + host + "\r\n");
                    assertTrue(answer.startsWith("HTTP/1.1 421 "), host + " " + path + ": " + answer);
                    assertFalse(answer.contains("balance_") || answer.contains("\"groups\"") || answer.contains("<html"),
                            "no data for " + host + ": " + answer);
                }
            }
            assertTrue(raw(at, "POST /api/disable?group=0&channel=0 HTTP/1.1", "Host: evil.example\r\n")
                    .startsWith("HTTP/1.1 421 "));
            assertTrue(raw(at, "GET /metrics HTTP/1.1", "").startsWith("HTTP/1.1 400 "), "HTTP/1.1 needs a Host");
            assertTrue(raw(at, "GET /metrics HTTP/1.1", "Host: localhost\r\nHost: evil.example\r\n")
                    .startsWith("HTTP/1.1 400 "), "two Host headers");
            for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LOCALHOST", "localhost.",
                    "stats.example.com:" + port, "lb1")) {
                String answer = raw(at, "GET /metrics HTTP/1.1", "Host: " + host + "\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("balance_"), host + ": " + answer);
            }
            String old = raw(at, "GET /metrics HTTP/1.0", "");
            assertTrue(old.startsWith("HTTP/1.1 200 ") && old.contains("balance_"), "HTTP/1.0 without Host: " + old);
            assertEquals(200, get(at, "/status.json").statusCode(), "what a client sends by itself");
        }
    }

    @Test
    void theOwnAddressOfAWildcardEndpointIsTheOneConnectedTo() throws Exception {
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(List.of("--stats", "0.0.0.0:0"), a.channel())) {
            InetSocketAddress at = b.runtime.stats().address();
            assertTrue(raw(at, "GET /metrics HTTP/1.1", "Host: 127.0.0.1:" + at.getPort() + "\r\n").startsWith("HTTP/1.1 200 "));
            assertTrue(raw(at, "GET /metrics HTTP/1.1", "Host: 10.1.2.3:" + at.getPort() + "\r\n").startsWith("HTTP/1.1 421 "),
                    "an address of the machine it was not reached on");
        }
    }

    @Test
    void readOnlyWithoutAControlSocket() throws Exception {
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(List.of("--stats", "0"), a.channel())) {
            assertNull(b.runtime.stats().tokenFile());
            assertEquals(403, post(b.runtime.stats().address(), "/api/disable?group=0&channel=0", "anything").statusCode());
        }
    }

    @Test
    void offMeansNoThreadNoFile(@TempDir Path run) throws Exception {
        try (Backend a = new Backend("a", Backend.ECHO);
             InProcessBalance b = InProcessBalance.start(run, List.of(), a.channel())) {
            assertEquals("x\n", session(b.port, "x"));
            assertNull(b.runtime.stats());
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("balance-stats")));
            try (var files = Files.list(run)) {
                assertTrue(files.noneMatch(f -> f.toString().endsWith(".token")));
            }
        }
    }
}
