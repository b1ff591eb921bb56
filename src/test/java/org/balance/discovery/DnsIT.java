package org.balance.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.cli.CommandLine;
import org.balance.cli.ExitStatus;
import org.balance.cli.ProxyConfig;
import org.balance.cli.UsageException;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resolve} and {@code --dns} against a real DNS server on loopback: Debian's dnsmasq (package
 * dnsmasq-base, which test.sh installs), serving {@code svc.test} from a hosts file the test rewrites (dnsmasq reads
 * it again on SIGHUP).
 */
class DnsIT {
    private static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");

    @TempDir
    Path dir;
    private Path hosts;
    private Process dnsmasq;
    private final StringBuffer dnsLog = new StringBuffer();
    private int dnsPort;

    @BeforeEach
    void startDnsmasq() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq is not installed (./test.sh installs dnsmasq-base)");
        hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.2 svc.test\n");
        for (int attempt = 0; attempt < 5 && dnsmasq == null; attempt++) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                dnsPort = s.getLocalPort();
            }
            Process p = new ProcessBuilder(DNSMASQ.toString(), "--no-daemon", "--conf-file=/dev/null", "--user=root",
                    "--port=" + dnsPort, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--local=/test/", "--addn-hosts=" + hosts, "--pid-file=" + dir.resolve("dnsmasq.pid"),
                    "--log-facility=-").redirectErrorStream(true).start();
            Thread reader = new Thread(() -> copy(p.getInputStream()), "dnsmasq-log");
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (p.isAlive() && !dnsLog.toString().contains("read " + hosts) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (p.isAlive() && dnsLog.toString().contains("read " + hosts)) {
                dnsmasq = p;
            } else {
                p.destroy();
                p.waitFor();
            }
        }
        assertTrue(dnsmasq != null, "dnsmasq did not start: " + dnsLog);
    }

    private void copy(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                dnsLog.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // dnsmasq ended
        }
    }

    @AfterEach
    void stopDnsmasq() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor();
        }
    }

    /** Rewrites the hosts file and has dnsmasq read it again. */
    private void serve(String hostsFile) throws Exception {
        int reads = count(dnsLog.toString(), "read " + hosts);
        Files.writeString(hosts, hostsFile);
        assertEquals(0, new ProcessBuilder("kill", "-HUP", String.valueOf(dnsmasq.pid())).start().waitFor());
        Net.await("dnsmasq to read the hosts file again", Duration.ofSeconds(5),
                () -> count(dnsLog.toString(), "read " + hosts) > reads);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** A new session: which backend answers it. */
    private static String served(int port, String line) throws IOException {
        try (Socket s = Net.connect(port)) {
            return ask(s, line);
        }
    }

    private static String ask(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return Net.readLine(s);
    }

    @Test
    void aMovedNameTakesNewSessionsWhileOldOnesStayAndAVanishedNameKeepsItsLastAddress() throws Exception {
        try (Backend two = new Backend("two", Backend.NAME_EACH_LINE, InetAddress.getByName("127.0.0.2"), 0);
             Backend three = new Backend("three", Backend.NAME_EACH_LINE, InetAddress.getByName("127.0.0.3"), two.port());
             InProcessBalance balance = InProcessBalance.start(
                     List.of("--resolve", "1", "--dns", "127.0.0.1:" + dnsPort), "svc.test:" + two.port());
             Socket held = Net.connect(balance.port)) {
            Destination channel = balance.channel(0, 0);
            assertEquals("127.0.0.2", channel.endpoint().addressText(), "start-up asked --dns");
            assertEquals("two:held 1", ask(held, "held 1"));
            long totalBefore = channel.totalConnections();

            serve("127.0.0.3 svc.test\n");
            Net.await("new sessions on the new address", Duration.ofSeconds(8), () -> {
                try {
                    return served(balance.port, "new").equals("three:new");
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals("two:held 2", ask(held, "held 2"), "the session in progress stays on the old address");
            assertSame(channel, balance.channel(0, 0), "the same channel, moved");
            assertEquals("127.0.0.3", channel.endpoint().addressText());
            assertEquals("svc.test", channel.endpoint().host());
            assertTrue(channel.totalConnections() > totalBefore, "its counters went on");
            assertTrue(balance.stderr().contains("resolve: svc.test now 127.0.0.3 (was 127.0.0.2)"), balance.stderr());

            serve("");
            Net.await("the log line of a name that no longer resolves", Duration.ofSeconds(8),
                    () -> balance.stderr().contains("resolve: svc.test does not resolve"));
            Thread.sleep(2500); // two more rounds
            assertEquals(1, count(balance.stderr(), "resolve: svc.test does not resolve"), balance.stderr());
            assertTrue(balance.stderr().contains("its channels keep 127.0.0.3"), balance.stderr());
            assertEquals("three:still", served(balance.port, "still"), "the last address serves on");
            assertEquals("two:held 3", ask(held, "held 3"));

            serve("127.0.0.2 svc.test\n");
            Net.await("the name back", Duration.ofSeconds(8), () -> balance.stderr().contains("resolve: svc.test resolves again"));
            Net.await("new sessions back on the first address", Duration.ofSeconds(5), () -> {
                try {
                    return served(balance.port, "back").equals("two:back");
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void atStartUpDnsIsAskedAndANameItDoesNotKnowIsADataError() {
        UsageException e = assertThrows(UsageException.class, () -> ProxyConfig.from(CommandLine.parse(
                "--dns", "127.0.0.1:" + dnsPort, "80", "nosuch.test")));
        assertEquals(ExitStatus.DATA_ERROR, e.exitStatus());
        assertTrue(e.getMessage().startsWith("unknown or invalid address [nosuch.test]"), e.getMessage());
    }

    @Test
    void theDnsServerIsAskedDirectly() throws Exception {
        ProxyConfig c = ProxyConfig.from(CommandLine.parse("--dns", "127.0.0.1:" + dnsPort, "80", "svc.test:8080", "127.0.0.1"));
        assertEquals(new InetSocketAddress("127.0.0.2", 8080), c.groups().get(0).channels().get(0).endpoint().address());
    }
}
