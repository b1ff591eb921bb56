package org.balance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.balance.log.Log;
import org.balance.relay.SessionRecord;
import org.balance.relay.SessionRecord.End;
import org.junit.jupiter.api.Test;

class SessionLineTest {
    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void aRelayedSession() throws Exception {
        SessionRecord r = new SessionRecord(at("10.0.0.5", 51234), 80, 0, 1, at("10.1.1.2", 80), 400_000,
                12_345_000_000L, 1234, 56789, End.CLIENT_CLOSED);
        assertEquals("session 10.0.0.5:51234 -> :80 group 0 channel 1 (10.1.1.2:80) connect 0.4 ms duration 12.345 s"
                + " sent 1234 rcvd 56789 end client-closed", SessionLine.format(r));
    }

    @Test
    void ipv6AndNoChannel() throws Exception {
        SessionRecord r = new SessionRecord(at("2001:db8::1", 40000), 8080, -1, -1, null, -1, 1_000_000, 0, 0,
                End.REFUSED_LIMIT);
        assertEquals("session [2001:db8::1]:40000 -> :8080 group - channel - (-) connect - duration 0.001 s sent 0 rcvd 0"
                + " end refused-limit", SessionLine.format(r));
        assertEquals("session - -> :8080 group - channel - (-) connect - duration 0.001 s sent 0 rcvd 0 end connect-failed",
                SessionLine.format(new SessionRecord(null, 8080, -1, -1, null, -1, 1_000_000, 0, 0, End.CONNECT_FAILED)));
    }

    @Test
    void everyEndHasItsLabel() {
        List<String> labels = new ArrayList<>();
        for (End e : End.values()) {
            labels.add(e.label());
        }
        assertEquals(List.of("client-closed", "server-closed", "reset", "idle-timeout", "connect-failed", "refused-limit",
                "refused-list", "no-proxy-header", "drained"), labels);
    }

    /** Lines are written by the log's own thread, in order; a full queue drops (and says so) instead of waiting. */
    @Test
    void writtenOffTheCallersThreadAndDroppedWhenFull() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        Object gate = new Object();
        Log log = new Log() {
            @Override
            public boolean isDebug() {
                return false;
            }

            @Override
            public void debug(String message) {
            }

            @Override
            public void notice(String message) {
                synchronized (gate) {
                    lines.add(message);
                    threads.add(Thread.currentThread().getName());
                }
            }

            @Override
            public void error(String message) {
                notice(message);
            }
        };
        SessionRecord r = new SessionRecord(at("10.0.0.5", 1), 80, 0, 0, at("10.1.1.2", 80), 1, 1, 1, 1, End.SERVER_CLOSED);
        SessionLog sessions;
        synchronized (gate) { // the writer blocks on its first line: the queue (2) fills behind it
            sessions = SessionLog.start(log, 2, "writer-test");
            for (int i = 0; i < 10; i++) {
                sessions.ended(r);
            }
        }
        sessions.close();
        assertTrue(sessions.dropped() >= 7, "dropped " + sessions.dropped());
        synchronized (gate) {
            assertEquals(10 - sessions.dropped(), lines.stream().filter(l -> l.startsWith("session 10.0.0.5")).count(), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains("lines dropped")), lines.toString());
            assertTrue(threads.stream().allMatch("writer-test"::equals), threads.toString());
        }
    }
}
