package org.balance.runtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>What runs: a small HTTP-like server and a client, both on the relay's own event loops, and between them a
 * {@link ProxyServer} of its own with the instance's transport and settings' classes: new connections each with one
 * request and answer, ending in either order (the client's FIN first, or the server's), and keep-alive connections
 * with many requests, {@link #CONCURRENCY} at a time. The compilers' work is read from their threads' CPU time in
 * /proc (Linux): idle once it has not grown for {@link #IDLE_MILLIS}. Nothing of it is left when it returns.
 */
public final class JitWarmup {
    /** Sessions in flight at once. */
    static final int CONCURRENCY = 16;
    /** Requests on one keep-alive connection. */
    static final int KEEP_ALIVE_REQUESTS = 50;
    /** The compilers count as idle when their CPU time has not grown for this long. */
    static final long IDLE_MILLIS = 150;
    /** The load runs at least this long before the compilers' idleness counts. */
    static final long MIN_MILLIS = 300;

    private static final byte[] REQUEST = "GET /warmup HTTP/1.1\r\nHost: balance\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
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
     * {@code --warmup}: runs the warm-up for at most {@code budgetMillis} on event loops of its own (compiled code
     * serves every thread of the JVM), and says what it did in {@code log}.
     */
    public static void before(long budgetMillis, Transport transport, Log log) throws InterruptedException {
        EventLoopGroup loops = ProxyRuntime.newLoops(transport);
        try {
            log.notice("warm-up: " + run(transport, loops, Log.QUIET, budgetMillis));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Runs the warm-up for at most {@code budgetMillis} on {@code loops}. */
    static Result run(Transport transport, EventLoopGroup loops, Log log, long budgetMillis) throws InterruptedException {
        long started = System.nanoTime();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        AtomicLong requests = new AtomicLong();
        Channel backend = null;
        Channel proxy = null;
        Load load = null;
        boolean idle = false;
        try {
            backend = new ServerBootstrap()
                    .group(loops)
                    .channelFactory(() -> transport.newServerChannel(false))
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new Server())
                    .bind(new InetSocketAddress(loopback, 0)).sync().channel();
            Routing routing = new Routing();
            routing.group(0).add(new Destination(
                    Endpoint.of("127.0.0.1", loopback, ((InetSocketAddress) backend.localAddress()).getPort()), 0, true));
            RelaySettings settings = new RelaySettings(new Balancer(routing, false), log, 5_000, 0, null, null, null,
                    new SessionCounters(), SessionPolicy.NONE, Admission.ALL, null);
            proxy = new ProxyServer(transport, loops, settings).bind(new InetSocketAddress(loopback, 0), false);
            ProxyServer.startAccepting(proxy);
            load = new Load(transport, loops, (InetSocketAddress) proxy.localAddress(), requests);
            load.start();
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
                } else if (System.nanoTime() > minimum
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
            if (backend != null) {
                backend.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (load != null) {
                load.awaitEnd();
            }
        }
        return new Result(load.sessions.get(), requests.get(),
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

    /** Answers every read with one canned answer; on a request that says "close", closes after the answer. */
    @ChannelHandler.Sharable
    private static final class Server extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean close = msg instanceof ByteBuf buf && buf.readableBytes() > 0 && buf.getByte(buf.readerIndex()) == 'C';
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER))
                    .addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Keeps {@link #CONCURRENCY} client sessions going through the proxy until stopped. */
    private static final class Load {
        private final Transport transport;
        private final EventLoopGroup loops;
        private final InetSocketAddress proxy;
        private final AtomicLong requests;
        final AtomicLong sessions = new AtomicLong();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile boolean running = true;
        private volatile boolean failed;

        Load(Transport transport, EventLoopGroup loops, InetSocketAddress proxy, AtomicLong requests) {
            this.transport = transport;
            this.loops = loops;
            this.proxy = proxy;
            this.requests = requests;
        }

        void start() {
            for (int i = 0; i < CONCURRENCY; i++) {
                next(i);
            }
        }

        boolean failed() {
            return failed;
        }

        void stop() {
            running = false;
        }

        /** Waits (bounded) for the sessions in flight to end. */
        void awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        /** Session number {@code n}: one in four is keep-alive; of the others, half end with the server's FIN. */
        private void next(long n) {
            if (!running) {
                return;
            }
            inFlight.incrementAndGet();
            int kind = (int) (n % 4);
            int requestsWanted = kind == 3 ? KEEP_ALIVE_REQUESTS : 1;
            boolean serverCloses = kind == 1;
            new Bootstrap()
                    .group(loops)
                    .channelFactory(() -> transport.newSocketChannel(false))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new Client(requestsWanted, serverCloses));
                        }
                    })
                    .connect(proxy)
                    .addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            failed = true;
                            ended();
                        }
                    });
            sessions.incrementAndGet();
        }

        private void ended() {
            inFlight.decrementAndGet();
            next(sessions.get());
        }

        /** Sends a request, reads the answer, again as many times as wanted, then ends its side. */
        private final class Client extends ChannelInboundHandlerAdapter {
            private final int wanted;
            private final boolean serverCloses;
            private int answered;
            private int pending;

            Client(int wanted, boolean serverCloses) {
                this.wanted = wanted;
                this.serverCloses = serverCloses;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                send(ctx);
            }

            private void send(ChannelHandlerContext ctx) {
                ByteBuf request = ctx.alloc().buffer(REQUEST.length + 1);
                boolean last = answered + 1 == wanted;
                request.writeByte(last && serverCloses ? 'C' : 'G').writeBytes(REQUEST, 1, REQUEST.length - 1);
                pending = ANSWER.length;
                ctx.writeAndFlush(request);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    pending -= buf.readableBytes();
                }
                ReferenceCountUtil.release(msg);
                if (pending > 0) {
                    return;
                }
                answered++;
                requests.incrementAndGet();
                if (answered < wanted && running) {
                    send(ctx);
                } else if (!serverCloses) {
                    ((DuplexChannel) ctx.channel()).shutdownOutput();
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                    ctx.close();
                }
                ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                ended();
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }
}
