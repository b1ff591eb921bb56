package org.balance.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that opens one new session after another through balance, as a steady stream of users would,
 * and records what became of each: which backend answered ({@code NAME:who N}), an error answer, or a failed
 * session (refused, closed without an answer, reset, timed out).
 */
public final class SessionStream implements AutoCloseable {

    /** One session: when it started, what it sent, and the answer line or why there was none. */
    public record Session(long startMillis, String request, String answer, String failure) {
        public boolean failed() {
            return failure != null;
        }

        /** The answering backend's name, {@code -ERR} for an error answer, or null for a failed session. */
        public String server() {
            if (answer == null) {
                return null;
            }
            int colon = answer.indexOf(':');
            return answer.startsWith("-ERR") || colon < 0 ? "-ERR" : answer.substring(0, colon);
        }
    }

    private final int port;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final AtomicInteger numbers = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts the stream: a new session every {@code pauseMillis} or so, one at a time. */
    public SessionStream(int port, long pauseMillis) {
        this.port = port;
        this.thread = new Thread(() -> {
            while (running) {
                sessions.add(one());
                try {
                    Thread.sleep(pauseMillis); // pacing only; nothing waits on it
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "session-stream");
        thread.setDaemon(true);
        thread.start();
    }

    private Session one() {
        long start = System.currentTimeMillis();
        String request = "who " + numbers.incrementAndGet();
        try (Socket s = Net.connect(port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((request + "\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = Net.readLine(s);
            if (answer == null) {
                return new Session(start, request, null, "closed without an answer");
            }
            return new Session(start, request, answer, null);
        } catch (IOException e) {
            return new Session(start, request, null, e.toString());
        }
    }

    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** Sessions recorded so far that {@code name} answered. */
    public long servedBy(String name) {
        return sessions.stream().filter(s -> name.equals(s.server())).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
