package org.balance.control;

import org.balance.support.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real balance and real backends, driven as operators and their scripts do: {@code bin/balance -c} and
 * {@code bin/balance -i} with commands on standard input. Asserts the exact texts, that routing changes as
 * commanded, and that the counters match the traffic that flowed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlIT {
    private static final String ROW = "%3d %4s %2d %3s %16s %5d %4d %11d %4d %11d %11d\n";
    private static final String HEADER =
            "GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n";

    @TempDir
    Path runDir;
    private Backend alpha;
    private Backend beta;
    private Balance balance;

    @BeforeEach
    void backends() throws IOException {
        alpha = new Backend("alpha", Backend.NAME_EACH_LINE);
        beta = new Backend("beta", Backend.NAME_EACH_LINE);
    }

    @AfterEach
    void stop() throws Exception {
        if (balance != null) {
            balance.close();
        }
        alpha.close();
        beta.close();
    }

    private static String channel(Backend b) {
        return "127.0.0.1:" + b.port();
    }

    private static String row(int group, String type, int channel, boolean enabled, Backend b, int c, long totalc,
                              int maxc, long sent, long rcvd) {
        return String.format(Locale.ROOT, ROW, group, type, channel, enabled ? "ENA" : "dis", "127.0.0.1", b.port(),
                c, totalc, maxc, sent, rcvd);
    }

    /** Polls {@code show} until it reads {@code expected}; returns the last answer. */
    private String awaitShow(String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last;
        do {
            last = balance.answer("show");
            if (last.equals(expected)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, last);
        return last;
    }

    private Set<String> servers(int sessions) throws IOException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < sessions; i++) {
            seen.add(balance.whoServes());
        }
        return seen;
    }

    @Test
    void countersMatchTheTrafficThatFlowed() throws Exception {
        balance = Balance.start(runDir, channel(alpha), channel(beta));
        for (int i = 0; i < 4; i++) {
            String answer = balance.call("hello");
            assertEquals((i % 2 == 0 ? "alpha" : "beta") + ":hello", answer);
        }
        int sent = 2 * "hello\n".length();
        awaitShow(HEADER
                + row(0, "RR", 0, true, alpha, 0, 2, 0, sent, 2L * alpha.answerLength("hello"))
                + row(0, "RR", 1, true, beta, 0, 2, 0, sent, 2L * beta.answerLength("hello")));
        assertEquals(2 * alpha.answerLength("hello") + "\n" + sent + "\nUNKNOWN\ngroup 0 channel 0\n",
                balance.answer("mrtg-bytes 0 0"));
        assertEquals("2\nUNKNOWN\nUNKNOWN\ngroup 0 channel 1\n", balance.answer("mrtg-conns 0 1"));
        // -d and -M are accepted in control mode, as with the original
        Balance.Result flags = Balance.run(null, runDir, Map.of(), "-b", "127.0.0.1", "-d", "-M", "-c", "mrtg-conns 0 0",
                Integer.toString(balance.port()));
        assertEquals(new Balance.Result(0, "2\nUNKNOWN\nUNKNOWN\ngroup 0 channel 0\n", ""), flags);

        try (Balance.Session open = balance.open()) {
            assertEquals("alpha:x", open.exchange("x"));
            String show = balance.answer("show");
            assertTrue(show.contains(row(0, "RR", 0, true, alpha, 1, 3, 0, sent + 2, 2L * alpha.answerLength("hello")
                    + alpha.answerLength("x"))), show);
        }
        awaitShow(HEADER
                + row(0, "RR", 0, true, alpha, 0, 3, 0, sent + 2, 2L * alpha.answerLength("hello") + alpha.answerLength("x"))
                + row(0, "RR", 1, true, beta, 0, 2, 0, sent, 2L * beta.answerLength("hello")));

        assertEquals("channel 0 counters reset\n", balance.answer("reset 0"));
        assertEquals(HEADER
                + row(0, "RR", 0, true, alpha, 0, 0, 0, 0, 0)
                + row(0, "RR", 1, true, beta, 0, 2, 0, sent, 2L * beta.answerLength("hello")), balance.answer("show"));
        assertEquals("0\n0\nUNKNOWN\ngroup 0 channel 0\n", balance.answer("mrtg-bytes 0 0"));
    }

    @Test
    void routingChangesAsCommanded() throws Exception {
        balance = Balance.start(runDir, channel(alpha), channel(beta));
        try (Backend gamma = new Backend("gamma", Backend.NAME_EACH_LINE); Backend delta = new Backend("delta", Backend.NAME_EACH_LINE);
             Balance.Session established = balance.open()) {
            assertEquals("alpha:1", established.exchange("1"));

            // disable: no new sessions there, the established one goes on
            assertEquals("channel 0 disabled\n", balance.answer("disable 0"));
            assertEquals(Set.of("beta"), servers(4));
            assertEquals("alpha:2", established.exchange("2"));
            assertTrue(balance.answer("show").contains(row(0, "RR", 0, false, alpha, 1, 1, 0, 4, 16)));
            assertEquals("channel 0 already disabled\n", balance.answer("disable 0"));

            // enable: back in the rotation
            assertEquals("channel 0 enabled\n", balance.answer("enable 0"));
            assertEquals(Set.of("alpha", "beta"), servers(4));

            // maxc: channel 0 holds one session (the established one), so it is full
            assertEquals("maxc of channel 0 changed to 1\n", balance.answer("maxc 0 1"));
            assertEquals(Set.of("beta"), servers(4));
            assertEquals("maxc of channel 0 changed to 0\n", balance.answer("maxc 0 0"));
            assertEquals(Set.of("alpha", "beta"), servers(4));

            // create: a new channel starts disabled, then takes sessions once enabled
            assertEquals("channel created\n", balance.answer("create 127.0.0.1 " + gamma.port()));
            assertTrue(balance.answer("show").contains(row(0, "RR", 2, false, gamma, 0, 0, 0, 0, 0)));
            assertEquals(Set.of("alpha", "beta"), servers(6));
            assertEquals("channel 2 enabled\n", balance.answer("enable 2"));
            assertEquals(Set.of("alpha", "beta", "gamma"), servers(6));

            // assign: only while disabled
            assertEquals("channel must be disabled to assign new address\n",
                    balance.answer("assign 2 127.0.0.1 " + delta.port()));
            assertEquals("channel 2 disabled\n", balance.answer("disable 2"));
            assertEquals("channel reassigned\n", balance.answer("assign 2 localhost " + delta.port()));
            assertEquals("channel 2 enabled\n", balance.answer("enable 2"));
            assertEquals(Set.of("alpha", "beta", "delta"), servers(6));
            assertEquals("invalid address\n", balance.answer("create 127.0.0.1 no-such-service"));

            // hash: one client address, one channel; rr: round robin again
            assertEquals("group 0 set to hash\n", balance.answer("hash"));
            assertTrue(balance.answer("show").contains("  0 Hash  0 ENA"));
            assertEquals(1, servers(6).size());
            assertEquals("group 0 set to round robin\n", balance.answer("rr"));
            assertEquals(Set.of("alpha", "beta", "delta"), servers(6));

            // the established session was never cut
            assertEquals("alpha:3", established.exchange("3"));
        }
    }

    @Test
    void interactiveShellTranscript() throws Exception {
        balance = Balance.start(runDir, channel(alpha));
        String script = "help\ngroup 1\ncreate 127.0.0.1 " + beta.port() + "\nshow\nenable 0\nmrtg-conns 1 0\nbogus\n\n"
                + "group 99\nversion\n";
        Balance.Result r = balance.shell(script);
        String help = new CommandTable().helpText();
        String show = HEADER + row(0, "RR", 0, true, alpha, 0, 0, 0, 0, 0) + row(1, "RR", 0, false, beta, 0, 0, 0, 0, 0);
        String expected = "\nbalance 4.0 interactive command shell\nPID of master process is " + balance.pid() + "\n\n"
                + "balance[0] " + help
                + "balance[0] "
                + "balance[1] channel created\n"
                + "balance[1] " + show
                + "balance[1] channel 0 enabled\n"
                + "balance[1] 0\nUNKNOWN\nUNKNOWN\ngroup 1 channel 0\n"
                + "balance[1] syntax error\n"
                + "balance[1] "
                + "balance[1] value out of range\n"
                + "balance[1]   This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\n"
                + "balance[1] \n";
        assertEquals(new Balance.Result(0, expected, ""), r);

        // group 1 takes the sessions group 0 cannot
        assertEquals("alpha", balance.whoServes());
        assertEquals("channel 0 disabled\n", balance.answer("disable 0"));
        assertEquals(Set.of("beta"), servers(3));
        assertEquals("3\nUNKNOWN\nUNKNOWN\ngroup 1 channel 0\n", balance.answer("mrtg-conns 1 0"));

        // quit ends the shell; the rest of the input is not run
        Balance.Result quit = balance.shell("enable 0\nquit\ndisable 0\n");
        assertEquals(0, quit.status());
        assertTrue(quit.out().endsWith("balance[0] channel 0 enabled\nbalance[0] "), quit.out());
        assertEquals("channel 0 already enabled\n", balance.answer("enable 0"));
    }

    @Test
    void oneShotCommandTexts() throws Exception {
        balance = Balance.start(runDir, channel(alpha));
        assertEquals(new Balance.Result(0, new CommandTable().helpText(), ""), balance.command("help"));
        assertEquals(new Balance.Result(0, "  This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\n", ""),
                balance.command("version"));
        assertEquals(new Balance.Result(0, "", ""), balance.command(""));
        assertEquals(new Balance.Result(0, "", ""), balance.command("quit"));
        assertEquals(new Balance.Result(0, "", ""), balance.command("group 5"));
        assertEquals("syntax error\n", balance.answer("bogus"));
        assertEquals("syntax error\n", balance.answer("disable"));
        assertEquals("syntax error\n", balance.answer("disable one"));
        assertEquals("syntax error\n", balance.answer("mrtg-bytes 0"));
        assertEquals("syntax error\n", balance.answer("mrtg-bytes a b"));
        assertEquals("no such channel 99999999999999999999999\n", balance.answer("disable 99999999999999999999999"));
        assertEquals("no such channel 1\n", balance.answer("enable 1"));
        assertEquals("value out of range\n", balance.answer("group 32"));
        assertEquals("value out of range\n", balance.answer("maxc 0 -5"));
        assertEquals("unknown channel\n", balance.answer("maxc 3 5"));
        assertEquals("unknown group\n", balance.answer("mrtg-conns 32 0"));
        assertEquals("unknown channel\n", balance.answer("mrtg-conns 1 0"));
        assertEquals("group 0 set to hash\n", balance.answer("h" + "a"));
        assertEquals("group 0 set to round robin\n", balance.answer("rr"));
    }

    @Test
    void killStopsTheInstance() throws Exception {
        balance = Balance.start(runDir, channel(alpha));
        assertEquals("alpha:x", balance.call("x"));
        Path socket = balance.socket();
        assertEquals(new Balance.Result(0, "shutdown complete, exiting.\n", ""), balance.command("kill"));
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "socket removed before the answer");
        assertTrue(balance.process().waitFor(20, TimeUnit.SECONDS), "balance exits");
        assertEquals(0, balance.process().exitValue());
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), balance.port()));
        }
        assertEquals(new Balance.Result(69, "no master process, exiting.\n", ""), balance.command("show"));

        // from an interactive shell
        balance = Balance.start(runDir, channel(alpha));
        Balance.Result r = balance.shell("kill\nshow\n");
        assertEquals(0, r.status());
        assertTrue(r.out().endsWith("PID of master process is " + balance.pid() + "\n\nbalance[0] shutdown complete, exiting.\n"),
                r.out());
        assertTrue(balance.process().waitFor(20, TimeUnit.SECONDS), "balance exits");
        assertFalse(Files.exists(balance.socket(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theSocketIsPrivateStaleOnesAreReplacedLiveOnesNeverStolen() throws Exception {
        assertEquals(new Balance.Result(69, "no master process, exiting.\n", ""),
                Balance.run(null, runDir, Map.of(), "-c", "show", "1"));
        assertEquals(new Balance.Result(69, "no master process, exiting.\n", ""),
                Balance.run("show\n", runDir, Map.of(), "-i", "1"));

        int port = Balance.freePort();
        Path path = runDir.resolve("balance." + port + "." + Balance.BIND);
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertEquals(new Balance.Result(69, "no master process, exiting.\n", ""),
                Balance.run(null, runDir, Map.of(), "-b", Balance.BIND, "-c", "show", Integer.toString(port)));

        balance = Balance.start(runDir, port, Map.of(), channel(alpha));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
        assertTrue(balance.answer("show").startsWith(HEADER));
        balance.close();
        balance = null;
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "removed when stopped by a signal");

        // a live socket for a port whose TCP side is free: the new instance refuses and leaves it alone
        int other = Balance.freePort();
        Path taken = runDir.resolve("balance." + other + "." + Balance.BIND);
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(taken));
            Balance.Result r = Balance.run(null, runDir, Map.of(), "-f", "-b", Balance.BIND, Integer.toString(other),
                    channel(alpha));
            assertEquals(71, r.status(), r.toString());
            assertTrue((r.out() + r.err()).contains(taken.toString()), r.toString());
            assertTrue(ControlSocketFile.isLive(taken));
        }
    }

    @Test
    void theNioTransportServesTheSameShell() throws Exception {
        balance = Balance.start(runDir, Map.of("BALANCE_JVM_OPTS", "-Dbalance.transport=nio"), channel(alpha), channel(beta));
        assertEquals("alpha:hi", balance.call("hi"));
        awaitShow(HEADER + row(0, "RR", 0, true, alpha, 0, 1, 0, 3, alpha.answerLength("hi"))
                + row(0, "RR", 1, true, beta, 0, 0, 0, 0, 0));
        Balance.Result r = balance.shell("d 1\nversion\n");
        assertEquals(0, r.status(), r.toString());
        assertEquals("\nbalance 4.0 interactive command shell\nPID of master process is " + balance.pid() + "\n\n"
                + "balance[0] channel 1 disabled\nbalance[0]   This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\n"
                + "balance[0] \n", r.out());
        assertEquals(Set.of("alpha"), servers(3));
        assertEquals(new Balance.Result(0, "shutdown complete, exiting.\n", ""), balance.command("kill"));
        assertTrue(balance.process().waitFor(20, TimeUnit.SECONDS));
        assertFalse(Files.exists(balance.socket(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void otherUsersAreRefused() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                && Files.isExecutable(setpriv), "needs root and setpriv to act as another user");
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "balance-perm");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            balance = Balance.start(shared, Map.of(), channel(alpha));
            List<String> nobody = List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups");
            String port = Integer.toString(balance.port());

            // the socket is 0600: the kernel refuses the connection
            Balance.Result r = Balance.run(nobody, null, shared, Map.of(), "-b", Balance.BIND, "-c", "show", port);
            assertEquals(77, r.status(), r.toString());
            assertEquals("balance: permission denied: " + balance.socket() + "\n", r.err());

            // even if someone loosens the permissions, the instance checks who is calling
            Files.setPosixFilePermissions(balance.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            r = Balance.run(nobody, null, shared, Map.of(), "-b", Balance.BIND, "-c", "disable 0", port);
            assertEquals(new Balance.Result(77, "permission denied\n", ""), r);
            assertEquals("channel 0 already enabled\n", balance.answer("enable 0"));
        } finally {
            if (balance != null) {
                balance.close();
                balance = null;
            }
            try (var files = Files.list(shared)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(shared);
        }
    }

    @Test
    void anInstanceThatDiesMidwayIsReported() throws Exception {
        balance = Balance.start(runDir, channel(alpha));
        ProcessBuilder pb = new ProcessBuilder(Balance.LAUNCHER.toString(), "-b", Balance.BIND, "-i",
                Integer.toString(balance.port()));
        pb.environment().put(RunDirectory.ENV, runDir.toString());
        Process shell = pb.start();
        byte[] banner = shell.getInputStream().readNBytes(20);
        assertEquals("\nbalance 4.0 interac", new String(banner, java.nio.charset.StandardCharsets.ISO_8859_1));
        balance.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertTrue(shell.waitFor(20, TimeUnit.SECONDS));
        assertNotEquals(0, shell.exitValue());
        String err = new String(shell.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(err.contains("master process went away"), err);
        shell.getOutputStream().close();
    }

    @Test
    void aRawClientGetsTheProtocol() throws Exception {
        balance = Balance.start(runDir, channel(alpha));
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(balance.socket()))) {
            c.write(java.nio.ByteBuffer.wrap("-c version\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
            c.shutdownOutput();
            String answer = new String(java.nio.channels.Channels.newInputStream(c).readAllBytes(),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals("  This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\n\u00000", answer);
        }
    }
}
