package org.balance.runtime;

import static org.balance.support.Text.occurrences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.balance.support.NioEchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Load, faults and resource exhaustion: the proxy keeps serving and loses nothing it could have delivered. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReliabilityIT {
    @TempDir
    Path dir;

    private static BalanceProcess startProxy(Path dir, int port, String... channels) throws Exception {
        List<String> args = new ArrayList<>(List.of("-f", String.valueOf(port)));
        args.addAll(List.of(channels));
        BalanceProcess p = BalanceProcess.start(dir, Map.of(), args.toArray(String[]::new));
        Net.await("balance listening", Duration.ofSeconds(30), () -> Net.accepts("127.0.0.1", port));
        return p;
    }

    @Test
    void nineThousandConcurrentSessionsAllPassData() throws Exception {
        int sessions = 9000;
        try (NioEchoServer echo = new NioEchoServer()) {
            int port = Net.freePort();
            try (BalanceProcess balance = startProxy(dir, port, echo.channel());
                 Selector selector = Selector.open()) {
                List<SocketChannel> clients = new ArrayList<>(sessions);
                try {
                    for (int i = 0; i < sessions; i++) {
                        SocketChannel c = SocketChannel.open();
                        c.configureBlocking(false);
                        c.connect(new InetSocketAddress("127.0.0.1", port));
                        c.register(selector, SelectionKey.OP_CONNECT, i);
                        clients.add(c);
                        if (i % 500 == 499) {
                            finishConnects(selector, 0);
                        }
                    }
                    finishConnects(selector, 0);
                    Net.await("all sessions at the backend", Duration.ofSeconds(60), () -> echo.open() == sessions);
                    // Every session passes data: 8 bytes out, the same 8 back.
                    for (int i = 0; i < sessions; i++) {
                        clients.get(i).write(ByteBuffer.wrap(String.format("%07d\n", i).getBytes()));
                    }
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    Set<Integer> answered = new HashSet<>();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (answered.size() < sessions && System.nanoTime() < deadline) {
                        selector.select(200);
                        for (SelectionKey key : selector.selectedKeys()) {
                            if (key.isReadable()) {
                                buf.clear();
                                int n = ((SocketChannel) key.channel()).read(buf);
                                int id = (Integer) key.attachment();
                                if (n == 8 && new String(buf.array(), 0, 8).equals(String.format("%07d\n", id))) {
                                    answered.add(id);
                                    key.interestOps(0);
                                }
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                    assertEquals(sessions, answered.size(), "sessions that echoed");
                    assertTrue(balance.openFiles() >= 2 * sessions, "balance holds two descriptors per session");
                } finally {
                    for (SocketChannel c : clients) {
                        c.close();
                    }
                }
                Net.await("backend sessions closed", Duration.ofSeconds(30), () -> echo.open() == 0);
            }
        }
    }

    /** Completes pending connects; fails on any connect error; leaves the keys interested in reading. */
    private static void finishConnects(Selector selector, int unused) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean pending = false;
            for (SelectionKey k : selector.keys()) {
                if ((k.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                    pending = true;
                    break;
                }
            }
            if (!pending) {
                return;
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.isConnectable()) {
                    ((SocketChannel) k.channel()).finishConnect();
                    k.interestOps(SelectionKey.OP_READ);
                }
            }
            selector.selectedKeys().clear();
        }
        throw new AssertionError("connects did not complete");
    }

    @Test
    void shortSessionChurnLeavesNoDescriptorsOrMemoryBehind() throws Exception {
        int total = Integer.getInteger("balance.churn", 20_000);
        try (Backend echo = new Backend("echo", Backend.ECHO)) {
            int port = Net.freePort();
            try (BalanceProcess balance = startProxy(dir, port, echo.channel())) {
                churn(port, 5_000); // warm up: the JIT and the young generation settle
                Thread.sleep(500);
                int fdsBefore = balance.openFiles();
                long rssBefore = balance.residentKiB();
                churn(port, total);
                Net.await("descriptors back to the baseline", Duration.ofSeconds(20),
                        () -> {
                            try {
                                return balance.openFiles() <= fdsBefore + 2;
                            } catch (IOException e) {
                                return false;
                            }
                        });
                long rssAfter = balance.residentKiB();
                assertTrue(rssAfter - rssBefore < 16 * 1024, "RSS grew from " + rssBefore + " to " + rssAfter + " KiB");
            }
        }
    }

    /** {@code count} short sessions (connect, 5 bytes each way, close) from 4 threads; all must succeed. */
    static void churn(int port, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < count / 4; i++) {
                        try (Socket s = Net.connect(port)) {
                            s.getOutputStream().write("ping\n".getBytes());
                            if ("ping".equals(Net.readLine(s))) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : results) {
                ok += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(count / 4 * 4, ok, "short sessions that succeeded");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runningOutOfDescriptorsPausesAcceptingAndRecovers() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO)) {
            int port = Net.freePort();
            try (BalanceProcess balance = BalanceProcess.startWithFileLimit(dir, 96, "-f", String.valueOf(port), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(30), () -> Net.accepts("127.0.0.1", port));
                List<Socket> held = new ArrayList<>();
                try {
                    for (int i = 0; i < 80; i++) {
                        Socket s = new Socket();
                        s.connect(new InetSocketAddress("127.0.0.1", port), 2000); // the kernel backlog accepts
                        held.add(s);
                    }
                    Net.await("accept trouble reported", Duration.ofSeconds(10), () -> stderrOf(balance).contains("Too many open files"));
                    long before = balance.cpuTicks();
                    Thread.sleep(2000);
                    long ticks = balance.cpuTicks() - before;
                    assertTrue(ticks < 60, "busy loop while out of descriptors: " + ticks + " ticks in 2 s");
                } finally {
                    for (Socket s : held) {
                        s.close();
                    }
                }
                Net.await("serving again", Duration.ofSeconds(20), () -> echoes(port));
                Net.await("recovery reported", Duration.ofSeconds(10), () -> stderrOf(balance).contains("working again"));
                String err = stderrOf(balance);
                assertEquals(1, occurrences(err, "pausing new connections"), err);
                assertEquals(1, err.lines().count() - 1, "one line when it started, one when it was over:\n" + err);
            }
        }
    }

    /**
     * Clients that arrive while it starts must not take the descriptors its control socket needs: it binds the
     * port, sets up the control socket, and only then accepts (CI once saw it exit with "control socket ...:
     * Too many open files" when the port accepted first).
     */
    @Test
    void aFloodOfClientsWhileItStartsDoesNotStarveTheControlSocket() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO)) {
            int port = Net.freePort();
            List<Socket> held = new ArrayList<>();
            try (BalanceProcess balance = BalanceProcess.startWithFileLimit(dir, 96, "-f", String.valueOf(port), echo.channel())) {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (held.size() < 80 && System.nanoTime() < deadline) {
                        try {
                            Socket s = new Socket();
                            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                            held.add(s);
                        } catch (IOException refusedUntilBound) {
                            Thread.onSpinWait();
                        }
                    }
                    assertEquals(80, held.size(), "clients connected");
                    Path socket = dir.resolve("balance." + port + ".0.0.0.0");
                    Net.await("control socket", Duration.ofSeconds(10), () -> Files.exists(socket) || !balance.isAlive());
                    assertTrue(balance.isAlive(), () -> "it exited:\n" + stderrOf(balance));
                } finally {
                    for (Socket s : held) {
                        s.close();
                    }
                }
                Net.await("serving again", Duration.ofSeconds(20), () -> echoes(port));
                assertTrue(balance.isAlive(), () -> "it exited:\n" + stderrOf(balance));
            }
        }
    }

    private static boolean echoes(int port) {
        try (Socket s = Net.connect(port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write("back\n".getBytes());
            return "back".equals(Net.readLine(s));
        } catch (IOException e) {
            return false;
        }
    }

    private static String stderrOf(BalanceProcess p) {
        try {
            return p.stderr();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aKilledBackendEndsItsSessionsAndNewOnesGoElsewhere() throws Exception {
        try (Backend doomed = new Backend("doomed", Backend.IDENTIFY); Backend healthy = new Backend("healthy", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(doomed.channel(), healthy.channel())) {
            List<Socket> onDoomed = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = Net.connect(balance.port);
                    if ("doomed".equals(Net.readLine(s))) {
                        onDoomed.add(s);
                    } else {
                        s.close();
                    }
                }
                assertEquals(5, onDoomed.size());
                // the listener goes away (and is gone: a close alone may leave it accepting into its backlog while its
                // accept thread leaves, and a new session could then land there unanswered), its connections reset
                doomed.stopListening();
                doomed.close();
                for (Socket s : onDoomed) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    try {
                        assertEquals(-1, in.read(), "session of the killed backend ends");
                    } catch (java.net.SocketException reset) {
                        // a reset is an end too
                    }
                }
            } finally {
                for (Socket s : onDoomed) {
                    s.close();
                }
            }
            for (int i = 0; i < 20; i++) {
                try (Socket s = Net.connect(balance.port)) {
                    assertEquals("healthy", Net.readLine(s), "no client-visible failure after the backend died");
                }
            }
            Net.await("counters back to zero", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
        }
    }

    @Test
    void aBackendThatResetsAtOnceAndAClientThatResetsMidTransfer() throws Exception {
        Backend.Behaviour resetter = (s, self) -> {
            s.setSoLinger(true, 0);
            s.close();
        };
        try (Backend rst = new Backend("rst", resetter); Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance resetting = InProcessBalance.start(rst.channel());
             InProcessBalance echoing = InProcessBalance.start(echo.channel())) {
            for (int i = 0; i < 5; i++) {
                try (Socket s = Net.connect(resetting.port)) {
                    s.setSoTimeout(5000);
                    try {
                        assertEquals(-1, s.getInputStream().read());
                    } catch (java.net.SocketException reset) {
                        // fine: ended
                    }
                }
            }
            Net.await("counters back to zero", Duration.ofSeconds(5), () -> resetting.currentConnections() == 0);

            Socket s = Net.connect(echoing.port);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 8; i++) {
                s.getOutputStream().write(chunk); // nobody reads the echo: buffers fill on the way back
                if (i == 1) {
                    break;
                }
            }
            s.setSoLinger(true, 0);
            s.close();
            Net.await("session ended", Duration.ofSeconds(5), () -> echoing.currentConnections() == 0);
            Net.await("backend side closed", Duration.ofSeconds(5), () -> echo.openConnections() == 0);
        }
    }

    @Test
    void onlyTheConfiguredPortListensAndNothingIsDumpedUnlessAsked() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO)) {
            int port = Net.freePort();
            try (BalanceProcess balance = startProxy(dir, port, echo.channel())) {
                try (Socket s = Net.connect(port)) {
                    s.getOutputStream().write("secret\n".getBytes());
                    assertEquals("secret", Net.readLine(s));
                }
                assertEquals(Set.of(port), listeningTcpPorts(balance.pid()));
                Thread.sleep(200);
                assertEquals("", balance.stdout(), "no packet dump without -p");
            }
        }
    }

    /** TCP ports the process listens on, from /proc/net/tcp{,6} matched against its socket inodes. */
    static Set<Integer> listeningTcpPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }
}
