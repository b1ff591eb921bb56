package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.balance.support.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop that hurts no session, through bin/balance as operators run it: SIGTERM and {@code kill} close the port at
 * once and let the sessions in progress end on their own, {@code --drain-timeout} bounds that, a second SIGTERM
 * ends it at once, a new balance can serve the port meanwhile, and SIGHUP does not stop a command-line instance.
 * (Before: SIGTERM cut every session and the exit status was 143; SIGHUP ended the JVM with 129.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GracefulStopIT {
    private static final String BIND = "127.0.0.1";

    @TempDir
    Path dir;

    private BalanceProcess start(Backend backend, int port, String... options) throws Exception {
        String[] args = new String[options.length + 5];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = "-f";
        args[options.length + 1] = "-b";
        args[options.length + 2] = BIND;
        args[options.length + 3] = String.valueOf(port);
        args[options.length + 4] = backend.channel();
        BalanceProcess p = BalanceProcess.start(dir, Map.of(), args);
        Path socket = dir.resolve("balance." + port + "." + BIND);
        Net.await("the control socket", Duration.ofSeconds(30), () -> Files.exists(socket) || !p.isAlive());
        assertTrue(p.isAlive(), () -> stderr(p));
        return p;
    }

    private static String stderr(BalanceProcess p) {
        try {
            return p.stderr();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A session through the proxy to an IDENTIFY backend, its greeting read. */
    private static Socket session(int port, String expected) throws IOException {
        Socket s = Net.connect(port);
        assertEquals(expected, Net.readLine(s));
        return s;
    }


    private static void signal(BalanceProcess p, String signal) throws Exception {
        Processes.output("kill", "-" + signal, String.valueOf(p.pid()));
    }

    /** Milliseconds from now until the port can be bound again (someone else could start on it). */
    private static long millisUntilBindable(int port) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(BIND), port));
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } catch (IOException taken) {
                Thread.sleep(1);
            }
        }
        throw new AssertionError("port " + port + " still bound 10 s after the stop began");
    }

    private static int exitStatus(BalanceProcess p) throws Exception {
        assertTrue(p.process.waitFor(30, TimeUnit.SECONDS), "balance ended");
        return p.process.exitValue();
    }

    @Test
    void aSessionOutlivesSigtermWhileThePortIsFreedAtOnceThenBalanceExitsZero() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port)) {
                Socket held = session(port, "a");
                Net.roundTrip(held, "before");
                signal(p, "TERM");
                long freed = millisUntilBindable(port);
                System.out.println("port free " + freed + " ms after SIGTERM");
                assertTrue(freed <= 1000, "port free after " + freed + " ms");
                Path socket = dir.resolve("balance." + port + "." + BIND);
                Net.await("the control socket removed", Duration.ofSeconds(2), () -> !Files.exists(socket));
                Net.roundTrip(held, "after SIGTERM");
                Thread.sleep(300);
                assertTrue(p.isAlive(), "still serving the session");
                Net.roundTrip(held, "still there");
                held.close();
                assertEquals(0, exitStatus(p), stderr(p));
                assertTrue(stderr(p).contains("waiting for 1 session to end"), stderr(p));
            }
        }
    }

    @Test
    void killFromTheControlShellDrainsTheSameWay() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port)) {
                Socket held = session(port, "a");
                BalanceProcess.Result kill = BalanceProcess.run(dir, Map.of(), "-b", BIND, "-c", "kill", String.valueOf(port));
                assertEquals(0, kill.status(), kill.stderr());
                assertEquals("shutdown complete, exiting.\n", kill.stdout());
                assertTrue(millisUntilBindable(port) <= 1000);
                Net.roundTrip(held, "after kill");
                assertTrue(p.isAlive());
                held.close();
                assertEquals(0, exitStatus(p), stderr(p));
            }
        }
    }

    @Test
    void theDrainTimeoutClosesAHeldSessionOnTimeAfterDeliveringWhatWasRead() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port, "--drain-timeout", "1")) {
                Socket held = session(port, "a");
                Net.roundTrip(held, "hello");
                long sent = System.nanoTime();
                signal(p, "TERM");
                assertNull(Net.readLine(held), "the session ends with an orderly close");
                long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                assertTrue(closedAfter >= 900 && closedAfter < 5000, "closed " + closedAfter + " ms after SIGTERM");
                assertEquals(0, exitStatus(p), stderr(p));
                assertTrue(stderr(p).contains("drain timeout after 1 s: closing 1 session still open"), stderr(p));
            }
        }
    }

    @Test
    void aSecondSigtermEndsTheDrainAtOnce() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port)) {
                Socket held = session(port, "a");
                signal(p, "TERM");
                millisUntilBindable(port);
                Net.roundTrip(held, "draining");
                Thread.sleep(300); // a second SIGTERM within 250 ms counts as the same stop
                signal(p, "TERM");
                assertEquals(0, exitStatus(p), stderr(p));
                assertNull(Net.readLine(held), "the session was closed");
            }
        }
    }

    @Test
    void aNewBalanceServesThePortAndTheControlSocketWhileTheOldOneDrains() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess old = start(a, port)) {
                Socket held = session(port, "a");
                signal(old, "TERM");
                millisUntilBindable(port);
                try (BalanceProcess fresh = start(b, port)) {
                    try (Socket s = session(port, "b")) {
                        Net.roundTrip(s, "new one");
                    }
                    BalanceProcess.Result show = BalanceProcess.run(dir, Map.of(), "-b", BIND, "-c", "show", String.valueOf(port));
                    assertEquals(0, show.status(), show.stderr());
                    assertTrue(show.stdout().contains(String.valueOf(b.port())), show.stdout());
                    Net.roundTrip(held, "old one still relays");
                    held.close();
                    assertEquals(0, exitStatus(old), stderr(old));
                    assertTrue(fresh.isAlive());
                }
            }
        }
    }

    @Test
    void sighupDoesNotStopABalanceStartedFromACommandLine() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port)) {
                signal(p, "HUP");
                Net.await("the log line", Duration.ofSeconds(10), () -> stderr(p).contains("SIGHUP: nothing to reload"));
                assertTrue(p.isAlive());
                try (Socket s = session(port, "a")) {
                    Net.roundTrip(s, "still serving");
                }
            }
        }
    }

    @Test
    void aNewProxyOptionStartsTheProxyWithTheProxysJvmSettings() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = start(backend, port, "--drain-timeout", "30")) {
                String jvmArgs = Processes.jvmArguments(p.pid());
                assertFalse(jvmArgs.contains("-Xint"), "the control client's settings: " + jvmArgs);
                assertTrue(jvmArgs.contains("-XX:-StackTraceInThrowable"), "the proxy's settings: " + jvmArgs);
            }
        }
    }
}
