package org.balance.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.balance.cli.CommandLine;
import org.balance.cli.ProxyConfig;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.balance.support.ProxyProtocolPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol against real consumers and producers: nginx ({@code listen ... proxy_protocol}) and HAProxy
 * ({@code bind ... accept-proxy}) read balance's {@code --send-proxy} / {@code --send-proxy-v2} headers, and HAProxy
 * ({@code server ... send-proxy[-v2]}) in front of a {@code balance --accept-proxy}. Clients connect from 127.0.0.5, so
 * that the address a server reports can only be the client's if the header carried it (balance connects from
 * 127.0.0.1).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolIT {
    private static final String CLIENT = "127.0.0.5";

    @TempDir
    Path dir;

    /** A connection from {@link #CLIENT} to a loopback port. */
    private static Socket connectFrom(String source, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(15_000);
        return s;
    }

    /**
     * Sends an HTTP request at once (so that it waits in balance until the server connection is up: the header must
     * still come first) and returns the body of the answer, and the client's own address and port.
     */
    private static String[] ask(int port) throws IOException {
        try (Socket s = connectFrom(CLIENT, port)) {
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200") || answer.startsWith("HTTP/1.0 200"), answer);
            return new String[] {answer.substring(answer.indexOf("\r\n\r\n") + 4), CLIENT + ":" + s.getLocalPort()};
        }
    }

    private void sendsTo(ProxyProtocolPeer server, String option) throws Exception {
        try (server; InProcessBalance balance = InProcessBalance.start(List.of(option), "127.0.0.1:" + server.port)) {
            for (int i = 0; i < 3; i++) {
                String[] r = ask(balance.port);
                assertEquals(r[1], r[0], server.log());
            }
        }
    }

    @Test
    void nginxReadsTheClientAddressFromSendProxyV1() throws Exception {
        sendsTo(ProxyProtocolPeer.nginxEcho(dir), "--send-proxy");
    }

    @Test
    void nginxReadsTheClientAddressFromSendProxyV2() throws Exception {
        sendsTo(ProxyProtocolPeer.nginxEcho(dir), "--send-proxy-v2");
    }

    @Test
    void haproxyReadsTheClientAddressFromSendProxyV1() throws Exception {
        sendsTo(ProxyProtocolPeer.haproxyEcho(dir), "--send-proxy");
    }

    @Test
    void haproxyReadsTheClientAddressFromSendProxyV2() throws Exception {
        sendsTo(ProxyProtocolPeer.haproxyEcho(dir), "--send-proxy-v2");
    }

    /** HAProxy in front (send-proxy, then send-proxy-v2) → balance --accept-proxy --send-proxy → nginx: nginx sees the client. */
    @Test
    void acceptProxyFromHaproxyPassesTheClientOnToNginx() throws Exception {
        try (ProxyProtocolPeer nginx = ProxyProtocolPeer.nginxEcho(dir);
             InProcessBalance balance = InProcessBalance.start(List.of("--accept-proxy", "--send-proxy"),
                     "127.0.0.1:" + nginx.port)) {
            for (String front : List.of("send-proxy", "send-proxy-v2")) {
                try (ProxyProtocolPeer haproxy = ProxyProtocolPeer.haproxyFront(dir, balance.port, front)) {
                    for (int i = 0; i < 3; i++) {
                        String[] r = ask(haproxy.port);
                        assertEquals(r[1], r[0], front + ": " + haproxy.log() + nginx.log() + balance.stderr());
                    }
                }
            }
            assertEquals(0, balance.runtime.sessions().headerRejectedCount(), balance.stderr());
        }
    }

    /** Without --send-proxy nginx gets no header and refuses the request: the header is the option's doing. */
    @Test
    void withoutSendProxyNginxGetsNoHeader() throws Exception {
        try (ProxyProtocolPeer nginx = ProxyProtocolPeer.nginxEcho(dir);
             InProcessBalance balance = InProcessBalance.start("127.0.0.1:" + nginx.port);
             Socket s = connectFrom(CLIENT, balance.port)) {
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(!answer.contains(CLIENT), answer);
        }
    }

    /** A hash group selects by the header's client address, not by the front's (every connection comes from 127.0.0.1). */
    @Test
    void hashGroupsSelectByTheDecodedAddress() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY);
             Backend c = new Backend("c", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(List.of("--accept-proxy"),
                     a.channel(), b.channel(), c.channel(), "%")) {
            Map<String, String> first = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 1; i <= 30; i++) {
                    String client = "10.0.0." + i;
                    String name = viaHeader(balance.port, "PROXY TCP4 " + client + " 127.0.0.1 " + (40000 + round) + " 80\r\n");
                    String before = first.putIfAbsent(client, name);
                    if (before != null) {
                        assertEquals(before, name, client + " moved");
                    }
                    seen.add(name);
                }
            }
            assertEquals(Set.of("a", "b", "c"), seen, "30 clients behind one front spread over the channels");
        }
    }

    private static String viaHeader(int port, String header) throws IOException {
        try (Socket s = Net.connect(port)) {
            s.getOutputStream().write(header.getBytes(StandardCharsets.US_ASCII));
            return Net.readLine(s);
        }
    }

    /** A client without a valid header is closed before any channel is chosen, counted and logged. */
    @Test
    void aConnectionWithoutAValidHeaderTouchesNoChannel() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(List.of("--accept-proxy"), a.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, s.getInputStream().read());
            }
            long started = System.nanoTime();
            try (Socket s = Net.connect(balance.port)) {
                s.getOutputStream().write("PROXY TCP4".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertEquals(-1, in.read(), "closed after the timeout");
            }
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis >= 2900 && tookMillis < 6000, tookMillis + " ms");
            assertEquals(0, a.accepted());
            assertEquals(0, balance.channel(0, 0).totalConnections());
            assertEquals(2, balance.runtime.sessions().headerRejectedCount());
            java.io.ByteArrayOutputStream metrics = new java.io.ByteArrayOutputStream();
            org.balance.stats.PrometheusText.write(balance.runtime.snapshot(), "4.0", "test", metrics);
            assertTrue(metrics.toString(StandardCharsets.UTF_8).contains("\nbalance_proxy_header_rejected_total 2.0\n"),
                    metrics.toString(StandardCharsets.UTF_8));
            assertTrue(org.balance.stats.StatusJson.of(balance.runtime.snapshot(), "4.0").contains("\"proxy_header_rejected\":2,"));
            Net.await("sessions closed", Duration.ofSeconds(5), () -> balance.runtime.sessions().inProgress() == 0);
            assertTrue(balance.stderr().contains("invalid PROXY header"), balance.stderr());
            assertTrue(balance.stderr().contains("no PROXY header within 3000 ms"), balance.stderr());
        }
    }

    /** A reload (--config and SIGHUP: the same apply path) turns --send-proxy on for new sessions. */
    @Test
    void reloadTurnsSendProxyOnForNewSessions() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(echo.channel())) {
            assertEquals("hello", echoLine(balance.port));
            balance.runtime.reconfigure(ProxyConfig.from(CommandLine.parse("--send-proxy-v2", "--send-proxy=channel=0.0",
                    "-f", String.valueOf(balance.port), echo.channel())));
            String line = echoLine(balance.port);
            assertTrue(line.startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 "), line);
            assertTrue(line.endsWith(" " + balance.port + "\r"), line); // v1 (channel 0.0's own scope wins), then "hello"
        }
    }

    private static String echoLine(int port) throws IOException {
        try (Socket s = Net.connect(port)) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            return Net.readLine(s);
        }
    }
}
