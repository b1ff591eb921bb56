package org.balance.health;

import static org.balance.support.Text.occurrences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.balance.balancing.Destination;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.balance.support.SessionStream;
import org.balance.support.SwitchableBackend;
import org.balance.support.SwitchableBackend.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks against real loopback backends that die, hang, answer wrongly and come back, with a balance
 * running in this JVM and a client opening new sessions all the while.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthIT {
    /** Short times, so that the whole class takes seconds: interval and timeout 300 ms, rise 2, fall 2. */
    private static final long INTERVAL = 300;
    private static final long TIMEOUT = 300;
    private static final int RISE = 2;
    private static final int FALL = 2;
    /**
     * What a busy two-core machine may add to the bounds below: event-loop timer slop, a check's own round
     * trip, a GC pause. The bounds themselves are the ones HealthMonitor promises.
     */
    private static final long SLOP = 150;
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private static ChannelStatus status(InProcessBalance b, int group, int channel) {
        return b.runtime.health().status().stream()
                .filter(s -> s.group() == group && s.channel() == channel).findFirst().orElseThrow();
    }

    /** Waits until the channel reads {@code want}; returns when its state changed (wall clock). */
    private static long await(InProcessBalance b, int group, int channel, Destination.Status want) throws Exception {
        Net.await("group " + group + " channel " + channel + " " + want, WAIT,
                () -> b.channel(group, channel).status() == want);
        return status(b, group, channel).lastChangeMillis();
    }

    private static List<String> options(String... more) {
        List<String> o = new ArrayList<>(List.of("-t", "1",
                "--check-interval", INTERVAL + "ms", "--check-timeout", TIMEOUT + "ms",
                "--check-rise", String.valueOf(RISE), "--check-fall", String.valueOf(FALL)));
        o.addAll(List.of(more));
        return o;
    }

    @Test
    void sessionsNeverFailWhileAChannelDiesHangsAnswersWronglyAndComesBack() throws Exception {
        try (SwitchableBackend a = new SwitchableBackend("A");
             Backend b = new Backend("B", SwitchableBackend.PROTOCOL);
             InProcessBalance balance = InProcessBalance.start(options("--check-send", "PING\\r\\n", "--check-expect", "+PONG"),
                     a.channel(), b.channel())) {
            Destination chA = balance.channel(0, 0);
            Destination chB = balance.channel(0, 1);
            List<String> measured = new ArrayList<>();
            java.util.Map<Mode, Long> removedAt = new java.util.EnumMap<>(Mode.class);
            long removalBound = INTERVAL * FALL + TIMEOUT + SLOP;
            long returnBound = INTERVAL * RISE + SLOP;
            SessionStream stream = new SessionStream(balance.port, 15);
            try {
                Net.await("both backends serve", WAIT, () -> stream.servedBy("A") > 3 && stream.servedBy("B") > 3);

                for (Mode trouble : List.of(Mode.DEAD, Mode.HUNG, Mode.WRONG)) {
                    long broke = System.currentTimeMillis();
                    a.set(trouble);
                    long removed = await(balance, 0, 0, Destination.Status.SOFT_DISABLED);
                    removedAt.put(trouble, removed);
                    measured.add(trouble + " out after " + (removed - broke) + " ms");
                    assertTrue(removed - broke <= removalBound, trouble + ": taken out after " + (removed - broke)
                            + " ms, more than interval x fall + timeout (+" + SLOP + " ms)");

                    long totalAtRemoval = chA.totalConnections();
                    int seen = stream.sessions().size();
                    Net.await("sessions after the removal", WAIT, () -> stream.sessions().size() > seen + 10);
                    assertEquals(totalAtRemoval, chA.totalConnections(), trouble + ": a channel that is out gets no session");

                    long fixed = System.currentTimeMillis();
                    a.set(Mode.UP);
                    long back = await(balance, 0, 0, Destination.Status.ENABLED);
                    measured.add(trouble + " back after " + (back - fixed) + " ms");
                    assertTrue(back - fixed <= returnBound, trouble + ": back after " + (back - fixed)
                            + " ms, more than interval x rise (+" + SLOP + " ms)");
                    long servedBefore = stream.servedBy("A");
                    Net.await("A serves again", WAIT, () -> stream.servedBy("A") > servedBefore + 2);
                }
            } finally {
                stream.close();
            }
            System.out.println("HealthIT: interval " + INTERVAL + " ms, timeout " + TIMEOUT + " ms, rise " + RISE
                    + ", fall " + FALL + ": " + measured);

            List<SessionStream.Session> sessions = stream.sessions();
            List<SessionStream.Session> failed = sessions.stream().filter(SessionStream.Session::failed).toList();
            assertEquals(List.of(), failed, "failed sessions out of " + sessions.size());
            // Wrong answers came only from sessions that started before the checks took A out (a session is
            // placed within a millisecond of its start; 50 ms allow for a busy machine).
            for (SessionStream.Session x : sessions) {
                if ("-ERR".equals(x.server())) {
                    assertTrue(x.startMillis() <= removedAt.get(Mode.WRONG) + 50, "a wrong answer after the removal: " + x);
                }
            }

            // Every change logged once, with its reason.
            String err = balance.stderr();
            String name = "group 0 channel 0 (127.0.0.1:" + a.port() + ")";
            assertEquals(1, occurrences(err, name + " disabled by its checks: refused, 2 failures in a row"), err);
            assertEquals(1, occurrences(err, name + " disabled by its checks: timeout, 2 failures in a row"), err);
            assertEquals(1, occurrences(err, name + " disabled by its checks: unexpected reply `-ERR broken\\r\\n`, 2 failures in a row"), err);
            assertEquals(3, occurrences(err, name + " enabled by its checks: 2 passes in a row"), err);
            assertEquals(6, occurrences(err, "by its checks"), err);
            assertFalse(err.contains("channel 1"), "B never changed: " + err);

            // The counters count the clients' sessions and bytes, and nothing of the checks.
            Net.await("every session over", WAIT, () -> balance.currentConnections() == 0);
            long servedA = sessions.stream().filter(x -> "A".equals(x.server()) || "-ERR".equals(x.server())).count();
            long servedB = sessions.stream().filter(x -> "B".equals(x.server())).count();
            assertEquals(servedB, chB.totalConnections());
            assertTrue(chA.totalConnections() >= servedA, chA.totalConnections() + " < " + servedA);
            assertEquals(bytes(sessions, true, "A", "-ERR"), chA.bytesSent());
            assertEquals(bytes(sessions, false, "A", "-ERR"), chA.bytesReceived());
            assertEquals(bytes(sessions, true, "B"), chB.bytesSent());
            assertEquals(bytes(sessions, false, "B"), chB.bytesReceived());
        }
    }

    /** Opens sessions until one is served by {@code name}; returns it open, closes the others. */
    private static Socket sessionOn(InProcessBalance balance, String name) throws Exception {
        for (int i = 0; i < 20; i++) {
            Socket s = Net.connect(balance.port);
            String answer = exchange(s, "who");
            if (answer != null && answer.startsWith(name + ":")) {
                return s;
            }
            s.close();
        }
        throw new AssertionError("no session reached " + name);
    }

    private static String exchange(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return Net.readLine(s);
    }

    @Test
    void aCheckPortOtherThanTheServicePortAndSessionsInProgressGoOn() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL);
             Backend b = new Backend("B", SwitchableBackend.PROTOCOL);
             Backend healthA = new Backend("healthA", Backend.ECHO);
             Backend healthB = new Backend("healthB", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(options(
                     "--check=channel=0.0:port=" + healthA.port(), "--check=channel=0.1:port=" + healthB.port()),
                     a.channel(), b.channel())) {
            try (Socket onA = sessionOn(balance, "A")) {
                long broke = System.currentTimeMillis();
                healthA.stopListening();
                long removed = await(balance, 0, 0, Destination.Status.SOFT_DISABLED);
                assertTrue(removed - broke <= INTERVAL * FALL + TIMEOUT + SLOP, (removed - broke) + " ms");
                assertEquals("A:still here", exchange(onA, "still here"), "a session in progress is not cut");
                for (int i = 0; i < 6; i++) {
                    try (Socket s = Net.connect(balance.port)) {
                        assertEquals("B:new " + i, exchange(s, "new " + i), "the service port still works, but A is out");
                    }
                }
                try (Backend again = new Backend("healthA", Backend.ECHO, java.net.InetAddress.getLoopbackAddress(), healthA.port())) {
                    long fixed = System.currentTimeMillis();
                    long back = await(balance, 0, 0, Destination.Status.ENABLED);
                    assertTrue(back - fixed <= INTERVAL * RISE + SLOP, (back - fixed) + " ms");
                    assertEquals("A:and still", exchange(onA, "and still"));
                    sessionOn(balance, "A").close();
                }
            }
            assertEquals(Destination.Status.ENABLED, balance.channel(0, 1).status(), "B's checks went to B's check port");
        }
    }

    @Test
    void aCommandCheckWithHostPortAndPassCodes() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL);
             Backend b = new Backend("B", SwitchableBackend.PROTOCOL)) {
            Path upA = dir.resolve("127.0.0.1_" + a.port());
            Path upB = dir.resolve("127.0.0.1_" + b.port());
            Files.writeString(upA, "");
            Files.writeString(upB, "");
            String spec = "command=test -e " + dir + "/%H_%P && exit 2 || exit 1:pass=2:interval=0.2";
            try (InProcessBalance balance = InProcessBalance.start(List.of("-t", "1", "-m", spec), a.channel(), b.channel())) {
                Net.await("both checked", WAIT, () -> status(balance, 0, 0).passed() >= 2 && status(balance, 0, 1).passed() >= 2);
                assertEquals(Destination.Status.ENABLED, balance.channel(0, 0).status(), "exit 2 passes");
                long broke = System.currentTimeMillis();
                Files.delete(upA);
                long removed = await(balance, 0, 0, Destination.Status.SOFT_DISABLED);
                assertTrue(removed - broke <= 200 + 1000 + SLOP, "-m: fall 1, timeout -t: " + (removed - broke) + " ms");
                assertEquals(Destination.Status.ENABLED, balance.channel(0, 1).status(), "B's own address and port");
                Files.writeString(upA, "");
                await(balance, 0, 0, Destination.Status.ENABLED);
                String err = balance.stderr();
                assertEquals(1, occurrences(err, "group 0 channel 0 (127.0.0.1:" + a.port() + ") disabled by its checks: exit code 1, 1 failure"), err);
                assertEquals(1, occurrences(err, "group 0 channel 0 (127.0.0.1:" + a.port() + ") enabled by its checks: 1 pass"), err);
            }
        }
    }

    @Test
    void withChecksAnAutodisabledChannelComesBackWhenItsChecksPass() throws Exception {
        int deadService = Net.freePort();
        try (Backend health = new Backend("health", Backend.ECHO);
             Backend b = new Backend("B", SwitchableBackend.PROTOCOL);
             InProcessBalance balance = InProcessBalance.start(options("-a", "--check=channel=0.0:port=" + health.port()),
                     "127.0.0.1:" + deadService, b.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                assertEquals("B:first", exchange(s, "first"), "A refused, failed over to B");
            }
            assertEquals(Destination.Status.SOFT_DISABLED, balance.channel(0, 0).status());
            long out = status(balance, 0, 0).lastChangeMillis();
            long back = await(balance, 0, 0, Destination.Status.ENABLED);
            assertTrue(back - out <= INTERVAL * RISE + SLOP, "back after " + (back - out) + " ms");
            String err = balance.stderr();
            assertTrue(err.contains("connection failed group 0 channel 0\n127.0.0.1:" + deadService
                    + " disabled until its checks pass\n"), err);
            assertTrue(err.contains("group 0 channel 0 (127.0.0.1:" + deadService + ") enabled by its checks: 2 passes in a row"), err);
            assertFalse(err.contains("manually"), err);
        }
    }

    @Test
    void nodisableOnlyWatchesAndNoenableNeverBringsBack() throws Exception {
        try (SwitchableBackend a = new SwitchableBackend("A");
             Backend b = new Backend("B", SwitchableBackend.PROTOCOL);
             InProcessBalance watching = InProcessBalance.start(List.of("-m", "connect:interval=0.2:nodisable"), a.channel(), b.channel());
             InProcessBalance sticky = InProcessBalance.start(List.of("-m", "connect:interval=0.2:noenable"), a.channel(), b.channel())) {
            a.set(Mode.DEAD);
            await(sticky, 0, 0, Destination.Status.SOFT_DISABLED);
            long failed = status(watching, 0, 0).failed();
            Net.await("more failed checks", WAIT, () -> status(watching, 0, 0).failed() >= failed + 3);
            assertEquals("down", status(watching, 0, 0).check());
            assertEquals(Destination.Status.ENABLED, watching.channel(0, 0).status(), "nodisable: the checks only watch");
            try (Socket s = Net.connect(watching.port)) {
                assertTrue(exchange(s, "x").startsWith("B:"), "sessions fail over as without checks");
            }
            a.set(Mode.UP);
            long passed = status(sticky, 0, 0).passed();
            Net.await("more passed checks", WAIT, () -> status(sticky, 0, 0).passed() >= passed + 3);
            assertEquals("up", status(sticky, 0, 0).check());
            assertEquals(Destination.Status.SOFT_DISABLED, sticky.channel(0, 0).status(), "noenable: out until enable");
        }
    }

    @Test
    void checksNeverPileUpOnAChannel() throws Exception {
        // Each check takes 400 ms, the interval is 100 ms: a check must wait for the one before it.
        String spec = "command=mkdir " + dir + "/lock_%P || touch " + dir + "/overlap_%P; echo >> " + dir + "/runs_%P; "
                + "sleep 0.4; rmdir " + dir + "/lock_%P:interval=0.1:timeout=3";
        List<String> channels = List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");
        try (InProcessBalance balance = InProcessBalance.start(List.of("-m", spec), channels.toArray(String[]::new))) {
            Net.await("four checks of each channel", WAIT, () -> {
                for (int port = 1; port <= 3; port++) {
                    Path runs = dir.resolve("runs_" + port);
                    try {
                        if (!Files.exists(runs) || Files.readAllLines(runs).size() < 4) {
                            return false;
                        }
                    } catch (IOException e) {
                        return false;
                    }
                }
                return true;
            });
            for (int port = 1; port <= 3; port++) {
                assertFalse(Files.exists(dir.resolve("overlap_" + port)), "two checks of channel " + port + " at once");
            }
        }
    }

    /** Bytes clients sent ({@code sent}) or received in the sessions the named backends answered. */
    private static long bytes(List<SessionStream.Session> sessions, boolean sent, String... names) {
        List<String> wanted = List.of(names);
        return sessions.stream().filter(x -> wanted.contains(x.server()))
                .mapToLong(x -> (sent ? x.request() : x.answer()).length() + 1).sum();
    }
}
