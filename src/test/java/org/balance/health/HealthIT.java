package org.balance.health;

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

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
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
            assertEquals(1, count(err, name + " disabled by its checks: refused, 2 failures in a row"), err);
            assertEquals(1, count(err, name + " disabled by its checks: timeout, 2 failures in a row"), err);
            assertEquals(1, count(err, name + " disabled by its checks: unexpected reply `-ERR broken\\r\\n`, 2 failures in a row"), err);
            assertEquals(3, count(err, name + " enabled by its checks: 2 passes in a row"), err);
            assertEquals(6, count(err, "by its checks"), err);
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

    /** Bytes clients sent ({@code sent}) or received in the sessions the named backends answered. */
    private static long bytes(List<SessionStream.Session> sessions, boolean sent, String... names) {
        List<String> wanted = List.of(names);
        return sessions.stream().filter(x -> wanted.contains(x.server()))
                .mapToLong(x -> (sent ? x.request() : x.answer()).length() + 1).sum();
    }
}
