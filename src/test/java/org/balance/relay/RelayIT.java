package org.balance.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Destination;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay end to end: real backends, a real balance, real sockets on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayIT {

    /** Sends {@code size} random bytes and reads the echo at the same time; returns {sentDigest, receivedDigest}. */
    static byte[][] fullDuplex(int port, long size) throws Exception {
        try (Socket s = Net.connect(port)) {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        received.update(buf, 0, n);
                        total += n;
                    }
                    return total;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            OutputStream out = s.getOutputStream();
            Random random = new Random(42);
            byte[] chunk = new byte[100_003];
            for (long left = size; left > 0; ) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                sent.update(chunk, 0, n);
                left -= n;
            }
            s.shutdownOutput();
            assertEquals(size, reader.get(40, TimeUnit.SECONDS));
            return new byte[][] {sent.digest(), received.digest()};
        }
    }

    @Test
    void roundRobinVisitsChannelsInStrictOrder() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY);
             Backend c = new Backend("c", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(a.channel(), b.channel(), c.channel())) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                try (Socket s = Net.connect(balance.port)) {
                    seen.add(Net.readLine(s));
                }
            }
            assertEquals(List.of("a", "b", "c", "a", "b", "c", "a", "b", "c"), seen);
        }
    }

    @Test
    void largeFullDuplexTransferArrivesExactlyAndIsCounted() throws Exception {
        long size = 48L << 20;
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(echo.channel())) {
            byte[][] digests = fullDuplex(balance.port, size);
            assertArrayEquals(digests[0], digests[1]);
            Destination d = balance.channel(0, 0);
            Net.await("session end", Duration.ofSeconds(5), () -> d.currentConnections() == 0);
            assertEquals(size, d.bytesSent());
            assertEquals(size, d.bytesReceived());
            assertEquals(1, d.totalConnections());
        }
    }

    @Test
    void clientHalfCloseStillGetsTheServersAnswer() throws Exception {
        try (Backend counter = new Backend("count", Backend.COUNT_THEN_ANSWER);
             InProcessBalance balance = InProcessBalance.start(counter.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                byte[] data = new byte[300_000];
                s.getOutputStream().write(data);
                s.shutdownOutput();
                assertEquals("got 300000 bytes\n", Net.readAll(s));
            }
            Net.await("c back to 0", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
            assertEquals(300_000, balance.channel(0, 0).bytesSent());
            assertEquals(17, balance.channel(0, 0).bytesReceived());
        }
    }

    @Test
    void serverHalfCloseLeavesTheClientDirectionOpen() throws Exception {
        Backend.Behaviour greetFirst = (s, self) -> {
            s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            byte[] rest = s.getInputStream().readAllBytes();
            LastReceived.text = new String(rest, StandardCharsets.US_ASCII);
        };
        try (Backend server = new Backend("closer", greetFirst);
             InProcessBalance balance = InProcessBalance.start(server.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                assertEquals("bye", Net.readLine(s));
                assertEquals(-1, s.getInputStream().read(), "the server's FIN reaches the client");
                s.getOutputStream().write("late data".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                Net.await("server got late data", Duration.ofSeconds(5), () -> "late data".equals(LastReceived.text));
            }
            Net.await("c back to 0", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
        }
    }

    /** What the half-closing backend received after its own FIN. */
    static final class LastReceived {
        static volatile String text;
    }

    @Test
    void refusedChannelFailsOverWithinTheGroupThenToTheNextGroup() throws Exception {
        int dead1 = Net.freePort();
        int dead2 = Net.freePort();
        try (Backend ok = new Backend("ok", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(
                     "127.0.0.1:" + dead1, "127.0.0.1:" + dead2, "!", ok.channel())) {
            for (int i = 0; i < 4; i++) {
                try (Socket s = Net.connect(balance.port)) {
                    assertEquals("ok", Net.readLine(s), "no client-visible failure");
                }
            }
            Net.await("c back to 0", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
            assertEquals(4, balance.channel(1, 0).totalConnections());
            assertEquals(4, balance.channel(0, 0).totalConnections() + balance.channel(0, 1).totalConnections() - 4,
                    "each client tried both dead channels once");
        }
    }

    @Test
    void nothingAvailableClosesTheClientAtOnce() throws Exception {
        int dead = Net.freePort();
        try (InProcessBalance balance = InProcessBalance.start("127.0.0.1:" + dead)) {
            try (Socket s = Net.connect(balance.port)) {
                long start = System.nanoTime();
                assertEquals(-1, s.getInputStream().read());
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
            }
            Net.await("c back to 0", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
        }
    }

    @Test
    void maxcOverflowsIntoTheNextGroupAndFreesOnClose() throws Exception {
        try (Backend first = new Backend("first", Backend.IDENTIFY); Backend second = new Backend("second", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(first.channel() + ":2", "!", second.channel())) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = Net.connect(balance.port);
                    held.add(s);
                    assertEquals("first", Net.readLine(s));
                }
                try (Socket s = Net.connect(balance.port)) {
                    assertEquals("second", Net.readLine(s));
                }
                assertEquals(2, balance.channel(0, 0).currentConnections());
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            Net.await("slots freed", Duration.ofSeconds(5), () -> balance.channel(0, 0).currentConnections() == 0);
            try (Socket s = Net.connect(balance.port)) {
                assertEquals("first", Net.readLine(s));
            }
        }
    }

    @Test
    void connectTimeoutFailsOverFromAServerThatDoesNotAnswer() throws Exception {
        try (Unanswering stuck = new Unanswering();
             Backend ok = new Backend("ok", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(List.of("-t", "1"),
                     "127.0.0.1:" + stuck.port(), ok.channel())) {
            long start = System.nanoTime();
            try (Socket s = Net.connect(balance.port)) {
                assertEquals("ok", Net.readLine(s));
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 900 && ms < 4000, "failover after the 1 s connect timeout, took " + ms + " ms");
            Net.await("c back to 0", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
        }
    }

    /** A listener that never accepts, its accept queue filled: a connect to it hangs until its timeout. */
    private static final class Unanswering implements AutoCloseable {
        private final java.net.ServerSocket listener =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        private final List<Socket> fillers = new ArrayList<>();

        Unanswering() throws IOException {
            try {
                for (int i = 0; i < 16; i++) {
                    Socket f = new Socket();
                    try {
                        f.connect(new java.net.InetSocketAddress("127.0.0.1", listener.getLocalPort()), 300);
                        fillers.add(f);
                    } catch (java.net.SocketTimeoutException full) {
                        f.close();
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket f : fillers) {
                f.close();
            }
            listener.close();
        }
    }

    /**
     * The client is read from the start, before its server connection is up: what it sends meanwhile is kept, but
     * only up to the high water mark; then it waits in the kernel, and none of it is lost once the server is there.
     */
    @Test
    void aClientThatSendsBeforeItsServerIsUpIsHeldBackAndLosesNothing() throws Exception {
        try (Unanswering stuck = new Unanswering();
             Backend counter = new Backend("count", Backend.COUNT_THEN_ANSWER);
             InProcessBalance balance = InProcessBalance.start(List.of("-t", "2"),
                     "127.0.0.1:" + stuck.port(), counter.channel());
             Socket s = Net.connect(balance.port)) {
            long size = 64L << 20;
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    for (long left = size; left > 0; left -= chunk.length) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(1500); // the first connect still waits for its 2 s timeout
            long early = written.get();
            // the proxy's share is the high water mark and one read; the rest is the kernel's buffers
            assertTrue(early < 24L << 20, "written before the server was up: " + early);
            writer.get(30, TimeUnit.SECONDS);
            assertEquals("got " + size + " bytes", Net.readLine(s));
        }
    }

    @Test
    void autodisableDisablesAFailedChannelAndSaysSo() throws Exception {
        int dead = Net.freePort();
        try (Backend ok = new Backend("ok", Backend.IDENTIFY);
             InProcessBalance balance = InProcessBalance.start(List.of("-a"), "127.0.0.1:" + dead, ok.channel())) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = Net.connect(balance.port)) {
                    assertEquals("ok", Net.readLine(s));
                }
            }
            assertEquals(Destination.Status.SOFT_DISABLED, balance.channel(0, 0).status(), "out until enable, softly");
            assertEquals(1, balance.channel(0, 0).totalConnections(), "disabled after the first failure");
            String err = balance.stderr();
            assertTrue(err.contains("connection failed group 0 channel 0"), err);
            assertTrue(err.contains("127.0.0.1:" + dead + " needs to be enabled manually using balance -i after the problem is solved"), err);
        }
    }

    @Test
    void hashGroupsAreStickyPerClientAddressAndSpread() throws Exception {
        List<Backend> backends = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                backends.add(new Backend("s" + i, Backend.IDENTIFY));
            }
            List<String> words = new ArrayList<>();
            backends.forEach(b -> words.add(b.channel()));
            words.add("%");
            try (InProcessBalance balance = InProcessBalance.start(words.toArray(String[]::new))) {
                java.util.Map<String, String> home = new java.util.HashMap<>();
                for (int round = 0; round < 3; round++) {
                    for (int client = 1; client <= 40; client++) {
                        String local = "127.0." + (client / 200) + "." + (client % 200 + 10);
                        try (Socket s = new Socket()) {
                            s.bind(new java.net.InetSocketAddress(local, 0));
                            s.connect(new java.net.InetSocketAddress("127.0.0.1", balance.port), 5000);
                            s.setSoTimeout(10_000);
                            String server = Net.readLine(s);
                            String before = home.putIfAbsent(local, server);
                            if (before != null) {
                                assertEquals(before, server, "client " + local + " moved");
                            }
                        }
                    }
                }
                assertEquals(4, new java.util.HashSet<>(home.values()).size(), "40 clients use all 4 channels: " + home);
            }
        } finally {
            backends.forEach(Backend::close);
        }
    }

    @Test
    void idleTimeoutEndsIdleSessionsOnly() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("-T", "1"), echo.channel());
             Socket idle = Net.connect(balance.port);
             Socket busy = Net.connect(balance.port)) {
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                busy.getOutputStream().write('x');
                assertEquals('x', busy.getInputStream().read());
                Thread.sleep(200);
            }
            assertEquals(-1, idle.getInputStream().read(), "idle session closed");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900));
            busy.getOutputStream().write('y');
            assertEquals('y', busy.getInputStream().read(), "busy session still up after 2.4 s");
            assertTrue(balance.stderr().contains("timed out after 1 seconds"), balance.stderr());
        }
    }

    @Test
    void packetDumpPrintsBothDirections() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("-p"), echo.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                s.getOutputStream().write("hi\\\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hi\\", Net.readLine(s));
            }
            Net.await("dump", Duration.ofSeconds(5), () -> balance.stdout().contains("-< 4\nhi\\\\\\0A\n\n"));
            assertTrue(balance.stdout().contains("-> 4\nhi\\\\\\0A\n\n"), balance.stdout());
        }
    }

    @Test
    void selfReferencingChainOfTheManualPage() throws Exception {
        // balance 8888 localhost::12 ! localhost::4 ! localhost::2 localhost::2 ! localhost:25, with an echo server as 25
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(
                     "localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!", "localhost:" + echo.port())) {
            try (Socket s = Net.connect(balance.port)) {
                s.getOutputStream().write("through 21 hops\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("through 21 hops", Net.readLine(s));
                assertEquals(12, balance.channel(0, 0).currentConnections());
                assertEquals(4, balance.channel(1, 0).currentConnections());
                assertEquals(2, balance.channel(2, 0).currentConnections());
                assertEquals(2, balance.channel(2, 1).currentConnections());
                assertEquals(1, balance.channel(3, 0).currentConnections());
            }
            Net.await("whole chain closed", Duration.ofSeconds(10), () -> balance.currentConnections() == 0);
            byte[][] digests = fullDuplex(balance.port, 8L << 20);
            assertArrayEquals(digests[0], digests[1], "bulk full-duplex through the chain");
            Net.await("whole chain closed", Duration.ofSeconds(10), () -> balance.currentConnections() == 0);
        }
    }

    @Test
    void countersReturnToZeroWhicheverSideEndsAndHow() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(echo.channel())) {
            Socket closed = Net.connect(balance.port);
            Socket reset = Net.connect(balance.port);
            Socket serverKilled = Net.connect(balance.port);
            for (Socket s : List.of(closed, reset, serverKilled)) {
                s.getOutputStream().write('a');
                assertEquals('a', s.getInputStream().read());
            }
            assertEquals(3, balance.currentConnections());
            closed.close();
            reset.setSoLinger(true, 0);
            reset.close();
            Net.await("two ended", Duration.ofSeconds(5), () -> balance.currentConnections() == 1);
            echo.resetAll();
            assertEquals(-1, serverKilled.getInputStream().read(), "server reset ends the client side promptly");
            serverKilled.close();
            Net.await("all ended", Duration.ofSeconds(5), () -> balance.currentConnections() == 0);
            assertEquals(3, balance.channel(0, 0).bytesSent());
            assertEquals(3, balance.channel(0, 0).bytesReceived());
        }
    }

    /** The original sets SO_KEEPALIVE on both sockets of a session; so do we, on every transport. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("org.balance.relay.RelayIntegrityIT#transports")
    void bothSocketsOfASessionKeepAlive(Transport transport) throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(transport, List.of(), echo.channel());
             Socket s = Net.connect(balance.port)) {
            s.getOutputStream().write('k');
            assertEquals('k', s.getInputStream().read());
            int clientPort = s.getLocalPort();
            List<Net.TcpSocket> sockets = Net.tcpSockets();
            Net.TcpSocket accepted = sockets.stream()
                    .filter(t -> t.localPort() == balance.port && t.remotePort() == clientPort).findFirst().orElseThrow();
            Net.TcpSocket outgoing = sockets.stream()
                    .filter(t -> t.remotePort() == echo.port() && t.state() == 1).findFirst().orElseThrow();
            assertEquals(2, accepted.timer(), "keepalive timer on the accepted socket: " + accepted);
            assertEquals(2, outgoing.timer(), "keepalive timer on the socket to the server: " + outgoing);
        }
    }

    @Test
    void sourceAddressForOutgoingConnections() throws Exception {
        try (Backend echo = new Backend("echo", Backend.ECHO);
             InProcessBalance balance = InProcessBalance.start(List.of("-B", "127.0.0.7"), echo.channel())) {
            try (Socket s = Net.connect(balance.port)) {
                s.getOutputStream().write('z');
                assertEquals('z', s.getInputStream().read());
            }
            assertEquals("127.0.0.7", echo.peers().get(0).getAddress().getHostAddress());
        }
    }

    @Test
    void aServerThatDoesNotReadStallsTheClientNotTheProxysMemory() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Backend.Behaviour neverReads = (s, self) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Backend lazy = new Backend("lazy", neverReads);
             InProcessBalance balance = InProcessBalance.start(lazy.channel());
             Socket s = Net.connect(balance.port)) {
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 4096; i++) { // at most 256 MiB
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (Exception e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            long last = -1;
            for (int i = 0; i < 100 && written.get() != last; i++) { // until the writer is stuck for 300 ms
                last = written.get();
                Thread.sleep(300);
            }
            assertTrue(writer.isAlive(), "the client must be held back");
            assertTrue(written.get() < 64L << 20, "proxy buffered without bound: " + written.get() + " bytes accepted");
            release.countDown();
        }
    }
}
