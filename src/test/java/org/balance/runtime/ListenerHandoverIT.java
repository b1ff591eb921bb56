package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.balance.relay.Transport;
import org.balance.support.HandoverOldSide;
import org.balance.support.NamedLineEcho;
import org.balance.support.Net;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener handed from an old instance to a new one over a domain socket: the old side is {@link HandoverOldSide},
 * in this JVM on event loops of its own, or in a process of its own; the new side is this test. Clients connect
 * every 2 ms throughout; none may be refused or reset, and each is answered by the old or the new side.
 */
class ListenerHandoverIT {
    @TempDir
    Path dir;
    private EventLoopGroup newGroup;

    @BeforeEach
    void newSide() {
        assumeTrue(Epoll.isAvailable(), "epoll only: NIO has no descriptor passing");
        // the relay's own groups (Transport), so the adopted listener meets the production I/O handler
        newGroup = Transport.named("epoll").newGroup(2, new DefaultThreadFactory("new", true));
    }

    @AfterEach
    void stopNewSide() throws InterruptedException {
        if (newGroup != null) {
            newGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void takesOverTheListenerOfEventLoopsInThisProcess() throws Exception {
        EventLoopGroup oldGroup = Transport.named("epoll").newGroup(2, new DefaultThreadFactory("old", true));
        Path socket = dir.resolve("old.sock");
        try (HandoverOldSide old = HandoverOldSide.start(oldGroup, socket)) {
            takeOver(old.port(), socket, () -> {
                old.handedOver().get(5, TimeUnit.SECONDS);
                assertTrue(old.listener().closeFuture().await(5, TimeUnit.SECONDS));
                old.rethrow();
            });
        } finally {
            oldGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void takesOverTheListenerOfAnotherProcess() throws Exception {
        Path socket = dir.resolve("old.sock");
        Path stderr = dir.resolve("old.err");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), HandoverOldSide.class.getName(), socket.toString())
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(20, TimeUnit.SECONDS);
            assertTrue(ready != null && ready.startsWith("port "), "old process said " + ready + "; " + Files.readString(stderr));
            takeOver(Integer.parseInt(ready.substring(5)), socket, () -> {
                assertTrue(process.waitFor(10, TimeUnit.SECONDS), "old process still running");
                assertEquals(0, process.exitValue(), Files.readString(stderr));
            });
        } finally {
            process.destroyForcibly();
        }
    }

    /** The new side's part, with clients connecting throughout; {@code oldGone} waits for the old side's end. */
    private void takeOver(int port, Path socket, Step oldGone) throws Exception {
        NamedLineEcho newEcho = new NamedLineEcho("new");
        Channel adopted = null;
        try (ClientLoop clients = new ClientLoop(port)) {
            Net.await("the old side answering clients", Duration.ofSeconds(10), () -> clients.answeredBy("old") >= 20);

            Future<ListenerHandover.Received> receiving = ListenerHandover.receive(newGroup, new DomainSocketAddress(socket.toString()));
            assertTrue(receiving.await(5, TimeUnit.SECONDS), "no descriptor");
            ListenerHandover.Received received = receiving.getNow();
            assertTrue(received != null, () -> "no descriptor: " + receiving.cause());

            // the old side no longer accepts and the new one does not yet: this client waits in the accept queue
            try (Socket queued = Net.connect(port)) {
                queued.getOutputStream().write("queued\n".getBytes(StandardCharsets.US_ASCII));

                ServerBootstrap configured = new ServerBootstrap()
                        .group(newGroup)
                        .option(ChannelOption.AUTO_READ, false)
                        .childHandler(newEcho);
                io.netty.channel.ChannelFuture registered = ListenerHandover.adopt(received.listener(), configured);
                assertTrue(registered.await(5, TimeUnit.SECONDS) && registered.isSuccess(), () -> "not registered: " + registered.cause());
                adopted = registered.channel();
                assertInstanceOf(io.netty.channel.socket.ServerSocketChannel.class, adopted);
                assertTrue(adopted.isOpen());
                assertTrue(adopted.isActive());
                assertEquals(new InetSocketAddress("127.0.0.1", port), adopted.localAddress());

                // auto-read off: registered but not accepting
                queued.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> Net.readLine(queued));
                adopted.config().setAutoRead(true);
                queued.setSoTimeout(5000);
                assertEquals("new:queued", Net.readLine(queued));
            }

            // text both ways on the same connection, after the descriptor
            BlockingQueue<String> heard = listen(received.connection());
            assertEquals("listener", heard.poll(5, TimeUnit.SECONDS), "the old side's line sent right after the descriptor");
            received.connection().writeAndFlush(Unpooled.copiedBuffer("taken\n", StandardCharsets.US_ASCII));
            assertEquals("bye", heard.poll(5, TimeUnit.SECONDS));
            assertTrue(received.connection().closeFuture().await(5, TimeUnit.SECONDS), "the old side did not hang up");

            oldGone.run();
            int afterOldGone = clients.started();
            Thread.sleep(300);
            clients.stop();

            System.out.printf("handover: %d connections made, %d refused, %d failed, %d answered by old, %d by new"
                    + " (%d after the old side was gone)%n", clients.started(), clients.refused.get(), clients.failures.size(),
                    clients.answeredBy("old"), clients.answeredBy("new"), clients.started() - afterOldGone);
            assertEquals(0, clients.refused.get(), "refused connections");
            assertEquals(List.of(), List.copyOf(clients.failures));
            assertEquals(clients.started(), clients.answers.size(), "every connection answered");
            assertTrue(clients.answeredBy("new") >= 20, "the new side answered " + clients.answeredBy("new"));
            assertTrue(clients.started() - afterOldGone >= 20, "too few connections after the old side was gone");
            clients.answers.forEach((i, answer) -> {
                if (i >= afterOldGone) {
                    assertEquals("new:c" + i, answer);
                }
            });
            try (Socket last = Net.connect(port)) {
                last.getOutputStream().write("last\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("new:last", Net.readLine(last));
            }
            newEcho.rethrow();
        } finally {
            if (adopted != null) {
                adopted.close().await(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads the connection's lines from now on (it comes with auto-read off). */
    private static BlockingQueue<String> listen(Channel connection) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        connection.pipeline().addLast(new LineBasedFrameDecoder(64), new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
                lines.add(line.toString(StandardCharsets.US_ASCII));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                lines.add("exception: " + cause);
                ctx.close();
            }
        });
        connection.config().setAutoRead(true);
        return lines;
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * Connects to the port every 2 ms (at most 10,000 times, for at most 60 s) until stopped; each connection sends
     * {@code cN} and reads one answer line on a reader thread. Refused connects, resets, timeouts and wrong answers
     * are counted.
     */
    private static final class ClientLoop implements AutoCloseable {
        private static final int MAX = 10_000;
        final Map<Integer, String> answers = new ConcurrentHashMap<>();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger started = new AtomicInteger();
        private final ExecutorService readers = Executors.newFixedThreadPool(4);
        private final Thread thread;
        private final int port;
        private volatile boolean stopped;

        ClientLoop(int port) {
            this.port = port;
            thread = new Thread(this::run, "client-loop");
            thread.setDaemon(true);
            thread.start();
        }

        int started() {
            return started.get();
        }

        long answeredBy(String side) {
            return answers.values().stream().filter(a -> a.startsWith(side + ":")).count();
        }

        private void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; !stopped && i < MAX && System.nanoTime() < deadline; i++) {
                int n = i;
                Socket s = new Socket();
                started.incrementAndGet();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    readers.execute(() -> exchange(s, n));
                } catch (ConnectException e) {
                    refused.incrementAndGet();
                    failures.add("c" + n + " refused: " + e.getMessage());
                    closeQuietly(s);
                } catch (IOException e) {
                    failures.add("c" + n + " connect: " + e);
                    closeQuietly(s);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void exchange(Socket s, int n) {
            try (s) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("c" + n + "\n").getBytes(StandardCharsets.US_ASCII));
                String answer = Net.readLine(s);
                if (answer == null || !answer.endsWith(":c" + n)) {
                    failures.add("c" + n + " answered " + answer);
                } else {
                    answers.put(n, answer);
                }
            } catch (IOException e) {
                failures.add("c" + n + ": " + e);
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(10_000);
            readers.shutdown();
            assertTrue(readers.awaitTermination(15, TimeUnit.SECONDS), "client readers still waiting");
            assertFalse(thread.isAlive());
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            readers.shutdownNow();
            thread.join(10_000);
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // counted already
            }
        }
    }
}
