package org.balance.runtime;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.balance.balancing.Balancer;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.Routing;
import org.balance.log.Log;
import org.balance.relay.Admission;
import org.balance.relay.ProxyServer;
import org.balance.relay.RelaySettings;
import org.balance.relay.SessionCounters;
import org.balance.relay.SessionPolicy;
import org.balance.relay.Transport;

/**
 * Sessions through the relay's own pipeline on loopback, before the port serves, until the JIT compilers have
 * compiled what they compile and gone idle (or the budget is spent): so that the first clients meet compiled code,
 * not the interpreter, and the compilers do not take the proxy's core while they are served. A fresh JVM serves a
 * few thousand sessions a second in its first seconds against twenty thousand once compiled; this moves that
 * ramp before the port serves, where a restart ({@code --takeover}: the old instance serves meanwhile) or a standby
 * that waits for its traffic pays nothing for it.
 *
 * <p>What runs: a {@link ProxyServer} of its own, with the instance's transport and settings' classes, <b>on the
 * event loops that will serve</b>; and around it a client and a small HTTP-like server made of the JDK's blocking
 * sockets on threads of their own, never Netty's. That is what makes the compiled code fit the real traffic: the
 * compilers specialise Netty's code for the types and branches they have seen, and code compiled for a warm-up
 * whose client and server were Netty channels too (and whose event loops were shut down after it) met other
 * types and branches in real traffic and was thrown away and compiled again: 4.9 s of C2 compilation after an
 * 8-second warm-up (JFR's jdk.Compilation and jdk.Deoptimization events, 2026-12-06). Sessions: new connections
 * each with one request and answer, ending in either order (the client's FIN first, or the server's), and
 * keep-alive connections with many requests, {@link #CONCURRENCY} at a time. The compilers' work is read from their
 * threads' CPU time in /proc (Linux): idle once it has not grown for {@link #IDLE_MILLIS}. Nothing of it is left
 * when it returns: its listening sockets, sessions and threads are gone, the event loops serve on.
 */
public final class JitWarmup {
    /**
     * Client threads, each with one session at a time or a burst of them. Few, so that the compilers, which
     * share the proxy's core with them, get most of it: with 2 the compilers were idle after 4.0 s, with 4 they
     * were still busy at the 6-second budget (one pinned core, 2026-12-06).
     */
    static final int CONCURRENCY = 2;
    /** Sessions opened together by one client. */
    static final int BURST = 8;
    /** Requests on one keep-alive connection. */
    static final int KEEP_ALIVE_REQUESTS = 50;
    /** The compilers count as idle when their CPU time has not grown for this long. */
    static final long IDLE_MILLIS = 150;
    /** The load runs at least this long before the compilers' idleness counts. */
    static final long MIN_MILLIS = 300;
    /**
     * ... and at least this many sessions: C2 takes a method once it has been called some 5,000-15,000 times
     * (Tier4InvocationThreshold, Tier4CompileThreshold), and most of the relay's methods run once or twice a
     * session; idle compilers before that only mean that nothing has reached the threshold yet.
     */
    static final long MIN_SESSIONS = 15_000;
    /** The longest a warm-up socket waits for its peer: a stuck session ends the warm-up, never the start. */
    private static final int SOCKET_TIMEOUT_MILLIS = 2_000;

    private static final byte[] REQUEST = "GET /warmup HTTP/1.1\r\nHost: balance\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The last request of a session that the server ends: it answers, then closes first. */
    private static final byte[] CLOSING_REQUEST =
            "GET /close HTTP/1.1\r\nHost: balance\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII);

    /** What the warm-up did: sessions and requests, how long it took, and whether the compilers had gone idle. */
    public record Result(long sessions, long requests, long millis, boolean compilersIdle) {
        @Override
        public String toString() {
            return sessions + " sessions, " + requests + " requests in " + millis + " ms"
                    + (compilersIdle ? ", compilers idle" : ", budget spent before the compilers were idle");
        }
    }

    private JitWarmup() {
    }

    /**
     * {@code --warmup}: runs the warm-up for at most {@code budgetMillis} on {@code loops}, the event loops that
     * will serve (compiled code serves every thread of the JVM, but the branches and types it was compiled for are
     * those it saw), and says what it did in {@code log}.
     */
    public static void before(long budgetMillis, Transport transport, EventLoopGroup loops, Log log)
            throws InterruptedException {
        // The relay gets the instance's own log (which it has nothing to say to): the compilers specialise the
        // relay's calls to the log for the class they see, and would compile them again for another one.
        log.notice("warm-up: " + run(transport, loops, log, budgetMillis));
    }

    /** Runs the warm-up for at most {@code budgetMillis} on {@code loops}. */
    static Result run(Transport transport, EventLoopGroup loops, Log log, long budgetMillis) throws InterruptedException {
        long started = System.nanoTime();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Channel proxy = null;
        Load load = null;
        boolean idle = false;
        try (Backend backend = new Backend(loopback)) {
            try {
                Routing routing = new Routing();
                routing.group(0).add(new Destination(Endpoint.of("127.0.0.1", loopback, backend.port()), 0, true));
                RelaySettings settings = new RelaySettings(new Balancer(routing, false), log, 5_000, 0, null, null, null,
                        new SessionCounters(), SessionPolicy.NONE, Admission.ALL, null);
                proxy = new ProxyServer(transport, loops, settings).bind(new InetSocketAddress(loopback, 0), false);
                ProxyServer.startAccepting(proxy);
                load = new Load((InetSocketAddress) proxy.localAddress());
                long deadline = started + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
                long minimum = started + TimeUnit.MILLISECONDS.toNanos(MIN_MILLIS);
                long compiling = compilerTicks();
                long quietSince = System.nanoTime();
                while (System.nanoTime() < deadline && !load.failed()) {
                    Thread.sleep(25);
                    long now = compilerTicks();
                    if (now != compiling) {
                        compiling = now;
                        quietSince = System.nanoTime();
                    } else if (System.nanoTime() > minimum && load.sessions.get() >= MIN_SESSIONS
                            && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)) {
                        idle = true;
                        break;
                    }
                }
            } finally {
                if (load != null) {
                    load.stop();
                }
                if (proxy != null) {
                    proxy.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
        }
        return new Result(load.sessions.get(), load.requests.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), idle);
    }

    /**
     * CPU time so far, in clock ticks, of the JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre" in
     * /proc/self/task/TID/comm); -1 where /proc cannot tell, which makes the warm-up run its whole budget.
     */
    static long compilerTicks() {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"));
                } catch (IOException gone) {
                    continue;
                }
                if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) {
                    continue;
                }
                String stat = Files.readString(task.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return total;
    }

    /** Reads one request (up to its blank line); false at the end of the stream. */
    private static boolean readRequest(InputStream in, byte[] buf) throws IOException {
        int have = 0;
        while (have < 4 || buf[have - 4] != '\r' || buf[have - 3] != '\n' || buf[have - 2] != '\r' || buf[have - 1] != '\n') {
            if (have == buf.length) {
                throw new IOException("warm-up request too long");
            }
            int n = in.read(buf, have, buf.length - have);
            if (n < 0) {
                if (have == 0) {
                    return false;
                }
                throw new EOFException("warm-up request cut short");
            }
            have += n;
        }
        return true;
    }

    /** Reads exactly {@code len} bytes. */
    private static void readAnswer(InputStream in, byte[] buf, int len) throws IOException {
        for (int have = 0; have < len; ) {
            int n = in.read(buf, have, len - have);
            if (n < 0) {
                throw new EOFException("warm-up answer cut short");
            }
            have += n;
        }
    }

    /** Reads until the peer's end of stream. */
    private static void drain(InputStream in, byte[] buf) throws IOException {
        while (in.read(buf) >= 0) {
            // nothing more is expected; whatever comes is dropped
        }
    }

    /**
     * The server behind the warm-up's proxy: {@link #CONCURRENCY} threads taking turns at one listening socket,
     * each serving one connection at a time: every request gets {@link #ANSWER}; after a {@link #CLOSING_REQUEST}
     * the server closes first, otherwise it closes when the client has ended its side.
     */
    private static final class Backend implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Thread> threads = new ArrayList<>();

        Backend(InetAddress loopback) throws InterruptedException {
            try {
                listener = new ServerSocket(0, 1024, loopback);
            } catch (IOException e) {
                throw new IllegalStateException("warm-up: cannot listen on loopback: " + e.getMessage(), e);
            }
            // as many as the sessions that can be open at once (a burst from every client): a client that waits for
            // one answer never waits for a server thread held by another of its own sessions
            for (int i = 0; i < CONCURRENCY * BURST; i++) {
                Thread t = new Thread(this::serve, "balance-warmup-server-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        private void serve() {
            byte[] buf = new byte[1024];
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    while (readRequest(in, buf)) {
                        out.write(ANSWER);
                        if (buf[5] == 'c') { // GET /close
                            break;
                        }
                    }
                } catch (IOException e) {
                    // the listener closed, or a session broke off: the client counts failures
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing is all that is wanted
            }
            for (Thread t : threads) {
                t.join(2 * SOCKET_TIMEOUT_MILLIS);
            }
        }
    }

    /** {@link #CONCURRENCY} client threads, each running one session after another through the proxy until stopped. */
    private static final class Load {
        /** More failed sessions than this end the warm-up: something is wrong, and the start must not wait on it. */
        private static final int MAX_FAILURES = 100;

        private final InetSocketAddress proxy;
        private final List<Thread> threads = new ArrayList<>();
        final AtomicLong sessions = new AtomicLong();
        final AtomicLong requests = new AtomicLong();
        private final AtomicInteger failures = new AtomicInteger();
        private volatile boolean running = true;

        Load(InetSocketAddress proxy) {
            this.proxy = proxy;
            for (int i = 0; i < CONCURRENCY; i++) {
                int first = i;
                Thread t = new Thread(() -> run(first), "balance-warmup-client-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        boolean failed() {
            return failures.get() > MAX_FAILURES;
        }

        /** Stops starting sessions and waits (bounded) for those in flight to end. */
        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(2 * SOCKET_TIMEOUT_MILLIS);
            }
        }

        /**
         * Session number n, n + CONCURRENCY, ...; of every eight: three with one request and answer, then the
         * client's FIN; one that the server ends after its answer; one keep-alive with {@link #KEEP_ALIVE_REQUESTS};
         * one whose client sends its request and its FIN at once (its end comes while the proxy may still be
         * connecting); {@link #BURST} sessions opened together (several connections per accept, several sockets
         * ready at each wake-up); and one that either connects and closes without a word or sends its request and
         * resets. Real clients do all of these (a load generator that stops, a client that gives up), and the
         * compilers drop what they have not seen: a kind left out here is code compiled again, while serving, the
         * first time a client does it.
         */
        private void run(long n) {
            byte[] buf = new byte[1024];
            for (; running && !failed(); n += CONCURRENCY) {
                int kind = (int) (n % 8);
                try {
                    if (kind == 6) {
                        burst(buf);
                    } else {
                        session(kind, n % 16 == 7, buf);
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
            }
        }

        private Socket connect() throws IOException {
            Socket s = new Socket(Proxy.NO_PROXY); // no SOCKS layer or proxy lookup: less for the compilers
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                s.connect(proxy, SOCKET_TIMEOUT_MILLIS);
                return s;
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        private void session(int kind, boolean silent, byte[] buf) throws IOException {
            try (Socket s = connect()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                if (kind == 7) {
                    if (!silent) {
                        out.write(REQUEST);
                        s.setSoLinger(true, 0); // a reset instead of a FIN
                    }
                    sessions.incrementAndGet();
                    return;
                }
                boolean serverCloses = kind == 1;
                boolean endsAtOnce = kind == 5;
                int wanted = kind == 3 ? KEEP_ALIVE_REQUESTS : 1;
                for (int i = 0; i < wanted; i++) {
                    out.write(serverCloses && i + 1 == wanted ? CLOSING_REQUEST : REQUEST);
                    if (endsAtOnce) {
                        s.shutdownOutput();
                    }
                    readAnswer(in, buf, ANSWER.length);
                    requests.incrementAndGet();
                }
                if (!serverCloses && !endsAtOnce) {
                    s.shutdownOutput();
                }
                drain(in, buf);
                sessions.incrementAndGet();
            }
        }

        /** {@link #BURST} sessions at once: all connect, then all send, then all read their answers and end. */
        private void burst(byte[] buf) throws IOException {
            List<Socket> open = new ArrayList<>(BURST);
            try {
                for (int i = 0; i < BURST; i++) {
                    open.add(connect());
                }
                for (Socket s : open) {
                    s.getOutputStream().write(REQUEST);
                }
                for (Socket s : open) {
                    readAnswer(s.getInputStream(), buf, ANSWER.length);
                    requests.incrementAndGet();
                    s.shutdownOutput();
                }
                for (Socket s : open) {
                    drain(s.getInputStream(), buf);
                    sessions.incrementAndGet();
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
