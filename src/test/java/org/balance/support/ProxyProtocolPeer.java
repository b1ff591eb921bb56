package org.balance.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PROXY protocol peer, Debian's nginx or HAProxy (test.sh installs nginx-light and haproxy), started in the
 * foreground from a configuration in a temporary directory, on a free loopback port, and stopped by {@link #close}.
 * The tests that use one are skipped, saying why, when its binary is absent.
 */
public final class ProxyProtocolPeer implements AutoCloseable {
    public static final String NGINX = "/usr/sbin/nginx";
    public static final String HAPROXY = "/usr/sbin/haproxy";

    public final int port;
    private final Process process;
    private final Path log;

    private ProxyProtocolPeer(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * nginx listening with {@code proxy_protocol} (v1 and v2) that answers every HTTP request with the client address
     * and port of the PROXY header: {@code $proxy_protocol_addr:$proxy_protocol_port}.
     */
    public static ProxyProtocolPeer nginxEcho(Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(NGINX)), NGINX + " is not installed (./test.sh installs nginx-light)");
        int port = Net.freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes 1;
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    server {
                        listen 127.0.0.1:%2$d proxy_protocol;
                        location / { return 200 "$proxy_protocol_addr:$proxy_protocol_port"; }
                    }
                }
                """.formatted(dir, port));
        Path log = dir.resolve("nginx.log");
        return start(List.of(NGINX, "-p", dir.toString(), "-c", conf.toString(), "-e", log.toString()), port, log);
    }

    /**
     * HAProxy with {@code accept-proxy} (v1 and v2) that answers every HTTP request with the client address and port
     * of the PROXY header: {@code %ci:%cp}.
     */
    public static ProxyProtocolPeer haproxyEcho(Path dir) throws Exception {
        int port = Net.freePort();
        return haproxy(dir, "echo", port, """
                frontend echo
                    mode http
                    bind 127.0.0.1:%d accept-proxy
                    http-request return status 200 content-type text/plain lf-string "%%ci:%%cp"
                """.formatted(port));
    }

    /** HAProxy in TCP mode in front of {@code backendPort}, to which it sends a PROXY header ({@code send-proxy} or {@code send-proxy-v2}). */
    public static ProxyProtocolPeer haproxyFront(Path dir, int backendPort, String sendProxy) throws Exception {
        int port = Net.freePort();
        return haproxy(dir, "front", port, """
                frontend front
                    mode tcp
                    bind 127.0.0.1:%d
                    default_backend balance
                backend balance
                    mode tcp
                    server balance 127.0.0.1:%d %s
                """.formatted(port, backendPort, sendProxy));
    }

    private static ProxyProtocolPeer haproxy(Path dir, String name, int port, String proxies) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(HAPROXY)), HAPROXY + " is not installed (./test.sh installs haproxy)");
        Path conf = dir.resolve("haproxy-" + name + ".cfg");
        Files.writeString(conf, """
                global
                    maxconn 100
                defaults
                    timeout connect 5s
                    timeout client 10s
                    timeout server 10s
                """ + proxies);
        Path log = dir.resolve("haproxy-" + name + ".log");
        return start(List.of(HAPROXY, "-db", "-f", conf.toString()), port, log);
    }

    private static ProxyProtocolPeer start(List<String> command, int port, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ProxyProtocolPeer peer = new ProxyProtocolPeer(port, p, log);
        try {
            Net.await(command.get(0) + " listening on " + port, Duration.ofSeconds(10), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError(command + " exited " + p.exitValue() + ": " + peer.log());
                }
                return Net.accepts("127.0.0.1", port);
            });
        } catch (RuntimeException | Error | InterruptedException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** What the server said on its standard output and error. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
