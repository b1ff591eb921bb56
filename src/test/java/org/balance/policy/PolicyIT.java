package org.balance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.balance.cli.CommandLine;
import org.balance.cli.Options;
import org.balance.cli.ProxyConfig;
import org.balance.relay.Admission.Refusal;
import org.balance.runtime.Service;
import org.balance.runtime.SystemdNotify;
import org.balance.stats.PrometheusText;
import org.balance.stats.StatusJson;
import org.balance.support.Backend;
import org.balance.support.Exposition;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source lists, per-source limits and the session log on real loopback sockets: clients connect from different
 * loopback addresses (127.0.0.2, 127.0.0.3, ...) by binding their socket before connecting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyIT {

    private static Socket from(String source, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * A connection from {@code source} is closed by balance at once, without a byte: a reset (which may come before
     * the JDK has seen the connect through) or an end of stream. Returns the client's address:port.
     */
    private static String assertRefused(String source, int port) throws IOException {
        return assertRefused(source, port, null);
    }

    private static String assertRefused(String source, int port, byte[] first) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        String name = client(s);
        try (s) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(first == null ? "x\n".getBytes(StandardCharsets.US_ASCII) : first);
            assertEquals(-1, s.getInputStream().read());
        } catch (SocketException e) {
            assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"), e.getMessage());
        }
        return name;
    }

    private static Exposition metrics(InProcessBalance b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusText.write(b.runtime.snapshot(), "test", "test", out);
        return Exposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aClientOverItsLimitIsClosedWithoutAServerConnectionOthersServed() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("--source-limit", "2"), backend.channel())) {
            Socket a1 = from("127.0.0.2", balance.port);
            Socket a2 = from("127.0.0.2", balance.port);
            Net.roundTrip(a1, "a1");
            Net.roundTrip(a2, "a2");
            assertRefused("127.0.0.2", balance.port);
            try (Socket c = from("127.0.0.3", balance.port)) {
                Net.roundTrip(c, "other client");
            }
            assertEquals(3, backend.accepted(), "no server connection for the refused one");
            assertEquals(1, balance.runtime.sessions().refused(Refusal.LIMIT));
            assertEquals(1.0, metrics(balance).value("balance_sessions_refused_total", "reason", "limit"));
            assertEquals(0.0, metrics(balance).value("balance_sessions_refused_total", "reason", "list"));
            String json = StatusJson.of(balance.runtime.snapshot(), "test").replace(" ", "");
            assertTrue(json.contains("\"refused\":{\"limit\":1,\"list\":0}"), json);
            assertTrue(balance.stderr().contains("refused client 127.0.0.2: over --source-limit 2"), balance.stderr());

            a1.close(); // its place goes back when the session ends
            Net.await("a1's place back", Duration.ofSeconds(5),
                    () -> balance.runtime.sourceLimits().open(new byte[] {127, 0, 0, 2}) == 1);
            try (Socket a3 = from("127.0.0.2", balance.port)) {
                Net.roundTrip(a3, "a3");
            }
            a2.close();
            Net.await("all places back", Duration.ofSeconds(5), () -> balance.runtime.sourceLimits().sources() == 0);
        }
    }

    /** Refusals from one source get one log line per interval, however many. */
    @Test
    void refusalsDoNotFloodTheLog() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("--deny", "127.0.0.7"), backend.channel())) {
            for (int i = 0; i < 20; i++) {
                assertRefused("127.0.0.7", balance.port);
            }
            Net.await("20 refused", Duration.ofSeconds(5), () -> balance.runtime.sessions().refused(Refusal.LIST) == 20);
            assertEquals(1, balance.stderr().split("refused client 127.0.0.7", -1).length - 1, balance.stderr());
            assertEquals(0, backend.accepted());
        }
    }

    @Test
    void denyAndAllow() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(
                     List.of("--allow", "127.0.0.0/29", "--deny", "127.0.0.3"), backend.channel())) {
            try (Socket ok = from("127.0.0.2", balance.port)) {
                Net.roundTrip(ok, "allowed");
            }
            assertRefused("127.0.0.3", balance.port); // denied: deny wins over the allowed block
            assertRefused("127.0.0.9", balance.port); // outside every allowed block
            assertEquals(1, backend.accepted());
            assertEquals(2, balance.runtime.sessions().refused(Refusal.LIST));
            assertEquals(2.0, metrics(balance).value("balance_sessions_refused_total", "reason", "list"));
        }
    }

    /** A reload changes the limit for new sessions; the sessions in progress still count against it. */
    @Test
    void aReloadChangesTheLimitAndKeepsTheCounts() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("--source-limit", "1"), backend.channel())) {
            Socket held = from("127.0.0.2", balance.port);
            Net.roundTrip(held, "held");
            assertRefused("127.0.0.2", balance.port);
            balance.runtime.reconfigure(ProxyConfig.from(CommandLine.parse("--source-limit", "2", "-f",
                    String.valueOf(balance.port), backend.channel())));
            try (Socket second = from("127.0.0.2", balance.port)) {
                Net.roundTrip(second, "second");
                assertRefused("127.0.0.2", balance.port); // held + second = 2
            }
            balance.runtime.reconfigure(ProxyConfig.from(CommandLine.parse("-f", String.valueOf(balance.port),
                    backend.channel())));
            List<Socket> many = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                many.add(from("127.0.0.2", balance.port));
                Net.roundTrip(many.get(i), "no limit " + i);
            }
            for (Socket s : many) {
                s.close();
            }
            held.close();
            Net.await("held's place back", Duration.ofSeconds(5), () -> balance.runtime.sourceLimits().sources() == 0);
            assertEquals(2, balance.runtime.sessions().refused(Refusal.LIMIT));
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "session (\\S+) -> :(\\d+) group (\\S+) channel (\\S+) \\((\\S+)\\) connect (\\S+)(?: ms)? duration (\\S+) s"
                    + " sent (\\d+) rcvd (\\d+) end (\\S+)");

    /** The session log line of the session from {@code client}, once it is written. */
    private static Matcher lineOf(InProcessBalance balance, String client) throws InterruptedException {
        Matcher[] found = new Matcher[1];
        Net.await("a session line for " + client, Duration.ofSeconds(10), () -> {
            for (String line : balance.stderr().split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches() && m.group(1).equals(client)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static String client(Socket s) {
        return s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort();
    }

    @Test
    void theSessionLogSaysHowEachSessionEnded() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(
                     List.of("--log-sessions", "-T", "1", "--deny", "127.0.0.9", "--source-limit", "1"), backend.channel())) {
            // client closed: its FIN comes first
            Socket c = from("127.0.0.2", balance.port);
            String name = client(c);
            Net.roundTrip(c, "hello");
            c.shutdownOutput();
            assertEquals("", Net.readAll(c));
            c.close();
            Matcher m = lineOf(balance, name);
            assertEquals(String.valueOf(balance.port), m.group(2));
            assertEquals("0", m.group(3));
            assertEquals("0", m.group(4));
            assertEquals("127.0.0.1:" + backend.port(), m.group(5));
            assertTrue(Double.parseDouble(m.group(6)) >= 0, m.group(6));
            assertEquals("6", m.group(8));
            assertEquals("6", m.group(9));
            assertEquals("client-closed", m.group(10));

            // refused by the list, and by the limit (while the idle one holds 127.0.0.3's place)
            String deniedName = assertRefused("127.0.0.9", balance.port);
            m = lineOf(balance, deniedName);
            assertEquals("refused-list", m.group(10));
            assertEquals("-", m.group(3));
            assertEquals("-", m.group(6));

            Socket idle = from("127.0.0.3", balance.port);
            Net.roundTrip(idle, "then nothing");
            String overName = assertRefused("127.0.0.3", balance.port);
            assertEquals("refused-limit", lineOf(balance, overName).group(10));

            // idle timeout (-T 1)
            assertEquals("idle-timeout", lineOf(balance, client(idle)).group(10));
            idle.close();

            // reset by the client
            Socket reset = from("127.0.0.4", balance.port);
            Net.roundTrip(reset, "bang");
            reset.setSoLinger(true, 0);
            String resetName = client(reset);
            reset.close();
            assertEquals("reset", lineOf(balance, resetName).group(10));
        }
    }

    @Test
    void serverClosedConnectFailedAndDrained() throws Exception {
        Backend.Behaviour bye = (s, self) -> {
            s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
            s.close();
        };
        try (Backend backend = new Backend("b", bye);
             InProcessBalance balance = InProcessBalance.start(List.of("--log-sessions"), backend.channel())) {
            Socket s = from("127.0.0.2", balance.port);
            String name = client(s);
            assertEquals("bye", Net.readLine(s));
            assertEquals(-1, s.getInputStream().read());
            s.close(); // the session ends when the client's side does too
            Matcher m = lineOf(balance, name);
            assertEquals("server-closed", m.group(10));
            assertEquals("4", m.group(9));
        }
        int dead = Net.freePort();
        try (InProcessBalance balance = InProcessBalance.start(List.of("--log-sessions"), "127.0.0.1:" + dead)) {
            Socket s = from("127.0.0.2", balance.port);
            String name = client(s);
            assertEquals(-1, s.getInputStream().read());
            Matcher m = lineOf(balance, name);
            assertEquals("connect-failed", m.group(10));
            assertEquals("-", m.group(6));
            s.close();
        }
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("--log-sessions", "--drain-timeout", "1"),
                     backend.channel())) {
            Socket s = from("127.0.0.2", balance.port);
            Net.roundTrip(s, "still here");
            balance.runtime.drain(null);
            assertEquals(-1, s.getInputStream().read());
            assertEquals("drained", lineOf(balance, client(s)).group(10));
            s.close();
        }
    }

    /** With --accept-proxy the PROXY header's address is the client's: the decision waits for it. */
    @Test
    void withAcceptProxyTheHeadersAddressDecides() throws Exception {
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(
                     List.of("--accept-proxy", "--deny", "10.0.0.9", "--log-sessions"), backend.channel())) {
            try (Socket ok = from("127.0.0.2", balance.port)) {
                ok.getOutputStream().write("PROXY TCP4 10.0.0.8 127.0.0.1 40000 80\r\n".getBytes(StandardCharsets.US_ASCII));
                Net.roundTrip(ok, "served");
            }
            assertRefused("127.0.0.2", balance.port,
                    "PROXY TCP4 10.0.0.9 127.0.0.1 40001 80\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(1, backend.accepted());
            assertEquals("refused-list", lineOf(balance, "10.0.0.9:40001").group(10));
            assertEquals("client-closed", lineOf(balance, "10.0.0.8:40000").group(10));
            try (Socket bad = from("127.0.0.3", balance.port)) {
                String name = client(bad);
                bad.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, bad.getInputStream().read());
                Matcher m = lineOf(balance, name); // no header: the connection's own address
                assertEquals("no-proxy-header", m.group(10));
                assertEquals("-", m.group(3));
            }
        }
    }

    /**
     * On an IPv6 listener (-6): ::1 counts against its /64, and IPv4 clients arrive IPv4-mapped yet match IPv4 rules
     * and count as their IPv4 address.
     */
    @Test
    void ipv6ClientsAndIpv4MappedOnes() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(v6, 0));
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
        }
        try (Backend backend = new Backend("b", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(
                     List.of("-6", "--source-limit", "1", "--deny", "127.0.0.9", "--log-sessions"), backend.channel())) {
            Socket first = new Socket();
            first.connect(new InetSocketAddress(v6, balance.port), 5000);
            first.setSoTimeout(10_000);
            Net.roundTrip(first, "v6");
            Socket second = new Socket();
            String secondName = "[0:0:0:0:0:0:0:1]:";
            try (second) {
                second.connect(new InetSocketAddress(v6, balance.port), 5000);
                secondName = "[::1]:" + second.getLocalPort();
                second.setSoTimeout(10_000);
                second.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, second.getInputStream().read());
            } catch (SocketException e) {
                assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"), e.getMessage());
            }
            try (Socket v4 = from("127.0.0.2", balance.port)) {
                Net.roundTrip(v4, "mapped");
                assertRefused("127.0.0.2", balance.port); // counted as 127.0.0.2, its one place taken
            }
            assertRefused("127.0.0.9", balance.port); // ::ffff:127.0.0.9 matches the IPv4 rule
            assertEquals(2, balance.runtime.sessions().refused(Refusal.LIMIT));
            assertEquals(1, balance.runtime.sessions().refused(Refusal.LIST));
            assertEquals(2, backend.accepted());
            first.close();
            if (!secondName.endsWith(":")) {
                assertEquals("refused-limit", lineOf(balance, secondName).group(10));
            }
        }
    }

    /** The same through the --config file and its reload (what SIGHUP runs): the per-source table survives it. */
    @Test
    void aConfigFileReloadChangesTheLimit(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        Path file = dir.resolve("balance.conf");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        try (Backend backend = new Backend("b", Backend.ECHO)) {
            Files.writeString(file, "--source-limit 1 " + port + " " + backend.channel() + "\n");
            Service service = Service.start(file, false, Options.DRAIN_FOREVER, 0, errStream, errStream, null,
                    SystemdNotify.none());
            try (Socket held = from("127.0.0.2", port)) {
                Net.roundTrip(held, "held");
                assertRefused("127.0.0.2", port);
                Files.writeString(file, "--source-limit 2 --log-sessions " + port + " " + backend.channel() + "\n");
                service.reload();
                try (Socket second = from("127.0.0.2", port)) {
                    Net.roundTrip(second, "second");
                    assertRefused("127.0.0.2", port); // held (from before the reload) + second = 2
                }
                Net.await("a session line after the reload", Duration.ofSeconds(10),
                        () -> err.toString(StandardCharsets.UTF_8).contains("end refused-limit"));
            } finally {
                service.stop();
            }
        }
    }
}
