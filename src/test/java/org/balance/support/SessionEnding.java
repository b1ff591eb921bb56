package org.balance.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.balance.support.Payload.Pace;
import org.balance.support.Payload.Received;

/**
 * The ways a relayed session can end, each as a server behaviour and a client, both checking every byte they
 * receive. One session through a proxy: {@link #session(int)} runs the client, collects what the server saw and
 * throws {@link AssertionError} on any loss; it returns what the proxy's channel counters must then show.
 * Used by the integration tests and by {@code scripts/integrity-soak}.
 */
public abstract class SessionEnding {
    /**
     * What the proxy's channel counters must show for one session: exactly these byte counts, or, where a reset
     * cut the session ({@code exact} false), at least these (the proxy may have read bytes it could no longer
     * deliver).
     */
    public record Counts(long sent, long received, boolean exact) {
    }

    /** A proxy's view of the channel a case runs through: {sent, rcvd, current connections}. */
    public interface ChannelCounters {
        long[] read() throws Exception;
    }

    /**
     * Runs {@code sessions} sessions one after the other through the proxy on {@code port}, and after each checks
     * that the channel's connection count returned to 0 and its byte counters moved by exactly the session's bytes.
     */
    public final void run(int port, ChannelCounters counters, int sessions) throws Exception {
        for (int i = 1; i <= sessions; i++) {
            long[] before = counters.read();
            Counts expected;
            try {
                expected = session(port);
            } catch (AssertionError e) {
                throw new AssertionError(name() + ", session " + i + " of " + sessions + ": " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long[] after = counters.read();
            while (after[2] != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                after = counters.read();
            }
            String where = name() + ", session " + i + ": ";
            check(after[2] == 0, where + after[2] + " connections still counted after the session ended");
            long sent = after[0] - before[0];
            long received = after[1] - before[1];
            if (expected.exact()) {
                check(sent == expected.sent() && received == expected.received(), where + "counters sent/rcvd moved by "
                        + sent + "/" + received + ", expected " + expected.sent() + "/" + expected.received());
            } else {
                check(sent >= expected.sent() && received >= expected.received(), where + "counters sent/rcvd moved by "
                        + sent + "/" + received + ", expected at least " + expected.sent() + "/" + expected.received());
            }
        }
    }

    /** What the server side of a session saw; {@code error} if its socket failed. */
    record ServerSide(Received received, long sentBytes, String sentSha256, String error) {
        ServerSide(Received received, long sentBytes, String sentSha256) {
            this(received, sentBytes, sentSha256, null);
        }
    }

    private static final int TIMEOUT_MILLIS = 30_000;
    /** A session that takes longer than this is stuck: its socket is closed, which fails any blocked write. */
    private static final long SESSION_LIMIT_SECONDS = 180;
    /**
     * Threads for the concurrent halves of clients and servers: never the common pool, whose parallelism is 1 on
     * a 2-core machine, so that a blocked sender would starve the reader it waits for.
     */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "session-ending");
        t.setDaemon(true);
        return t;
    });
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-watchdog");
        t.setDaemon(true);
        return t;
    });
    protected final long size;
    private final BlockingQueue<ServerSide> servers = new LinkedBlockingQueue<>();

    protected SessionEnding(long size) {
        this.size = size;
    }

    /** Every case, with {@code size} bytes per direction where a case moves bulk data. */
    public static List<SessionEnding> all(long size) {
        return List.of(new ClientFinFirst(size), new ServerFinFirst(size), new BothAtOnce(size),
                new ServerClosesAfterLastWrite(size), new ServerResetsMidway(size), new ClientResetsMidway(size),
                new HalfCloseBeforeServerIsUp(), new LateAnswerToSlowReader(size));
    }

    public String name() {
        return getClass().getSimpleName() + (size > 0 ? " " + (size >> 20) + " MiB" : "");
    }

    @Override
    public String toString() {
        return name();
    }

    /** The server's side of one session. */
    public final Backend.Behaviour server() {
        return (s, self) -> {
            s.setSoTimeout(TIMEOUT_MILLIS);
            try {
                servers.add(serve(s));
            } catch (IOException | RuntimeException e) {
                servers.add(new ServerSide(null, 0, "", e.toString()));
            }
        };
    }

    /** Runs one session through the proxy listening on {@code port}; throws AssertionError on any loss. */
    public final Counts session(int port) throws Exception {
        try (Socket s = Net.connect(port)) {
            s.setSoTimeout(TIMEOUT_MILLIS);
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(s), SESSION_LIMIT_SECONDS, TimeUnit.SECONDS);
            try {
                return client(s);
            } finally {
                if (!watchdog.cancel(false)) {
                    throw new AssertionError("the session was stuck for " + SESSION_LIMIT_SECONDS + " s");
                }
            }
        }
    }

    abstract ServerSide serve(Socket s) throws IOException;

    abstract Counts client(Socket s) throws Exception;

    /** What the server saw of the session just run by the client (which has finished: the server has too). */
    ServerSide serverSide() throws InterruptedException {
        ServerSide side = servers.poll(15, TimeUnit.SECONDS);
        check(side != null, "the server did not finish its side within 15 s of the client");
        check(side.error() == null, "the server's socket failed: " + side.error());
        return side;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** {@code got} is exactly the first {@code n} bytes of the stream, read to a clean end. */
    static void checkWhole(String direction, Received got, long n, String sha256) {
        check(got.endedBy().equals("eof"), direction + ": ended by " + got.endedBy() + " after " + got.length() + " bytes");
        check(got.length() == n, direction + ": " + got.length() + " of " + n + " bytes arrived ("
                + (n - got.length()) + " lost)");
        check(got.inOrder(), direction + ": bytes out of order or corrupted");
        check(got.sha256().equals(sha256), direction + ": SHA-256 differs");
    }

    /** A reset must reach the other side as an end (EOF or reset) soon, not as a read timeout. */
    static void checkPromptEnd(String direction, Received got, long startNanos) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        check(!got.endedBy().contains("Timeout") && seconds < 30, direction + ": the reset was not passed on: "
                + got.endedBy() + " after " + seconds + " s");
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing to unblock a stuck session
        }
    }

    static <T> CompletableFuture<T> inBackground(java.util.function.Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, THREADS);
    }

    static CompletableFuture<String> sendInBackground(Socket s, long n, boolean thenShutdown) {
        return inBackground(() -> {
            try {
                String sha = Payload.send(s.getOutputStream(), n);
                if (thenShutdown) {
                    s.shutdownOutput();
                }
                return sha;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            line.append((char) b);
        }
        return line.toString();
    }

    /** A request line as the server received it: its length with the newline. */
    static Received request(String line) {
        return new Received(line.length() + 1, "", true, "eof");
    }

    static ServerSide echo(Socket s) throws IOException {
        // An echo that digests what passes: sent == received.
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] buf = new byte[65_536];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            digest.update(buf, 0, r);
            out.write(buf, 0, r);
            n += r;
        }
        s.shutdownOutput();
        String sha = java.util.HexFormat.of().formatHex(digest.digest());
        return new ServerSide(new Received(n, sha, true, "eof"), n, sha);
    }

    /** The client sends everything and half-closes at once, then reads the echo slowly (issue 8's loss). */
    public static final class ClientFinFirst extends SessionEnding {
        public ClientFinFirst(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            return echo(s);
        }

        @Override
        Counts client(Socket s) throws Exception {
            CompletableFuture<String> sent = sendInBackground(s, size, true);
            Received back = Payload.receive(s.getInputStream(), Pace.SLOW);
            String sha = sent.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ServerSide server = serverSide();
            checkWhole("client to server", server.received(), size, sha);
            checkWhole("server to client", back, size, sha);
            return new Counts(size, size, true);
        }
    }

    /**
     * The server sends its part and half-closes first while the client is still sending; the client sends its
     * second half only after it has read the server's end, so data flows after the server's FIN was passed on.
     */
    public static final class ServerFinFirst extends SessionEnding {
        public ServerFinFirst(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            CompletableFuture<String> sent = sendInBackground(s, size, true);
            Received got = Payload.receive(s.getInputStream(), Pace.FAST);
            return new ServerSide(got, size, sent.join());
        }

        @Override
        Counts client(Socket s) throws Exception {
            OutputStream out = s.getOutputStream();
            CompletableFuture<Received> reader = inBackground(() -> {
                try {
                    return Payload.receive(s.getInputStream(), Pace.SLOW);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // The first half, then wait for the server's end, then the rest of the same stream.
            long half = size / 2;
            Payload.send(out, 0, half);
            Received back = reader.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            Payload.send(out, half, size - half);
            s.shutdownOutput();
            ServerSide server = serverSide();
            checkWhole("server to client", back, size, server.sentSha256());
            checkWhole("client to server", server.received(), size, Payload.digestOf(size));
            return new Counts(size, size, true);
        }
    }

    /** Both send everything and half-close at the same moment. */
    public static final class BothAtOnce extends SessionEnding {
        public BothAtOnce(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            CompletableFuture<String> sent = sendInBackground(s, size, true);
            Received got = Payload.receive(s.getInputStream(), Pace.FAST);
            return new ServerSide(got, size, sent.join());
        }

        @Override
        Counts client(Socket s) throws Exception {
            CompletableFuture<String> sent = sendInBackground(s, size, true);
            Received back = Payload.receive(s.getInputStream(), Pace.SLOW);
            String sha = sent.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            ServerSide server = serverSide();
            checkWhole("client to server", server.received(), size, sha);
            checkWhole("server to client", back, size, server.sentSha256());
            return new Counts(size, size, true);
        }
    }

    /** Request, then a large answer after which the server closes its socket at once (HTTP/1.0 style). */
    public static final class ServerClosesAfterLastWrite extends SessionEnding {
        static final byte[] REQUEST = "send\n".getBytes(StandardCharsets.US_ASCII);

        public ServerClosesAfterLastWrite(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            String request = readLine(s.getInputStream());
            String sha = Payload.send(s.getOutputStream(), size);
            s.close();
            return new ServerSide(request(request), size, sha);
        }

        @Override
        Counts client(Socket s) throws Exception {
            s.getOutputStream().write(REQUEST);
            Received back = Payload.receive(s.getInputStream(), Pace.SLOW);
            ServerSide server = serverSide();
            check(server.received().length() == REQUEST.length, "server got " + server.received().length() + " of "
                    + REQUEST.length + " request bytes");
            checkWhole("server to client", back, size, server.sentSha256());
            return new Counts(REQUEST.length, size, true);
        }
    }

    /** The server sends half of its answer, then resets the connection; the client must see a prompt end. */
    public static final class ServerResetsMidway extends SessionEnding {
        public ServerResetsMidway(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            String request = readLine(s.getInputStream());
            String sha = Payload.send(s.getOutputStream(), size / 2);
            s.setSoLinger(true, 0);
            s.close();
            return new ServerSide(request(request), size / 2, sha);
        }

        @Override
        Counts client(Socket s) throws Exception {
            s.getOutputStream().write(ServerClosesAfterLastWrite.REQUEST);
            long start = System.nanoTime();
            Received back = Payload.receive(s.getInputStream(), Pace.SLOW);
            serverSide();
            checkPromptEnd("server to client", back, start);
            check(back.inOrder(), "server to client: bytes out of order or corrupted before the reset");
            check(back.length() <= size / 2, "server to client: more bytes than the server sent");
            // Whatever reached the proxy before the reset, and nothing else, reaches the client.
            return new Counts(5, back.length(), true);
        }
    }

    /** The client sends half of its data, then resets; the server must see the end promptly. */
    public static final class ClientResetsMidway extends SessionEnding {
        public ClientResetsMidway(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            Received got = Payload.receive(s.getInputStream(), Pace.FAST);
            return new ServerSide(got, 0, "");
        }

        @Override
        Counts client(Socket s) throws Exception {
            Payload.send(s.getOutputStream(), size / 2);
            s.setSoLinger(true, 0);
            s.close();
            ServerSide server = serverSide();
            check(server.received().inOrder(), "client to server: bytes out of order or corrupted before the reset");
            check(!server.received().endedBy().contains("Timeout"), "client to server: the server was never told of the"
                    + " reset: " + server.received().endedBy());
            check(server.received().length() <= size / 2, "client to server: more bytes than the client sent");
            return new Counts(server.received().length(), 0, false);
        }
    }

    /**
     * {@code printf 'PING\r\n' | nc -N}: the request and the half-close arrive before the proxy's connection to
     * the server is up. Both must be delivered, and the whole answer relayed back.
     */
    public static final class HalfCloseBeforeServerIsUp extends SessionEnding {
        static final String PING = "PING\r\n";

        public HalfCloseBeforeServerIsUp() {
            super(0);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            return echo(s);
        }

        @Override
        Counts client(Socket s) throws Exception {
            s.getOutputStream().write(PING.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String back = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            ServerSide server = serverSide();
            check(server.received().length() == PING.length(), "server got " + server.received().length() + " of "
                    + PING.length() + " request bytes");
            check(back.equals(PING), "client got " + back.length() + " of " + PING.length() + " answer bytes");
            return new Counts(PING.length(), PING.length(), true);
        }
    }

    /** The client sends its request and half-closes; the server answers two seconds later, to a slow reader. */
    public static final class LateAnswerToSlowReader extends SessionEnding {
        public LateAnswerToSlowReader(long size) {
            super(size);
        }

        @Override
        ServerSide serve(Socket s) throws IOException {
            String request = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String sha = Payload.send(s.getOutputStream(), size);
            s.shutdownOutput();
            return new ServerSide(new Received(request.length(), "", true, "eof"), size, sha);
        }

        @Override
        Counts client(Socket s) throws Exception {
            s.getOutputStream().write(ServerClosesAfterLastWrite.REQUEST);
            s.shutdownOutput();
            Received back = Payload.receive(s.getInputStream(), Pace.SLOW);
            ServerSide server = serverSide();
            check(server.received().length() == 5, "server got " + server.received().length() + " of 5 request bytes");
            checkWhole("server to client", back, size, server.sentSha256());
            return new Counts(5, size, true);
        }
    }
}
