package org.balance.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.balance.relay.Transport;
import org.balance.runtime.ListenerHandover;

/**
 * The old side of a listener handover, for tests: a loopback listener that answers {@code old:LINE} and a domain
 * socket that hands the listener over. On a handover connection it stops accepting, sends the listener and the line
 * {@code listener}, waits for {@code taken}, closes its listener and answers {@code bye}. As a process ({@link #main}) it prints
 * {@code port N} once it listens and exits once it has handed over.
 */
public final class HandoverOldSide implements AutoCloseable {
    private final NamedLineEcho echo = new NamedLineEcho("old");
    private final CompletableFuture<Void> handedOver = new CompletableFuture<>();
    private final Channel listener;
    private final Channel handoverSocket;

    private HandoverOldSide(EventLoopGroup group, Path socket) throws InterruptedException {
        listener = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childHandler(echo)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        handoverSocket = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(64), new Handover());
                    }
                })
                .bind(new DomainSocketAddress(socket.toString())).sync().channel();
    }

    /** Listens on a loopback port and on {@code socket} for the new side. */
    public static HandoverOldSide start(EventLoopGroup group, Path socket) throws InterruptedException {
        return new HandoverOldSide(group, socket);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public Channel listener() {
        return listener;
    }

    /** Completes once this side has closed its listener and said {@code bye}; fails if the handover failed. */
    public CompletableFuture<Void> handedOver() {
        return handedOver;
    }

    public void rethrow() {
        echo.rethrow();
    }

    @Override
    public void close() throws InterruptedException {
        handoverSocket.close().sync();
        listener.close().sync();
    }

    /** {@code HandoverOldSide SOCKET}: prints {@code port N}, hands the listener over once, exits 0 (1 on failure). */
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = Transport.named("epoll").newGroup(2, new DefaultThreadFactory("old", true));
        try (HandoverOldSide old = start(group, Path.of(args[0]))) {
            System.out.println("port " + old.port());
            System.out.flush();
            old.handedOver().get(60, TimeUnit.SECONDS);
            old.rethrow();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private final class Handover extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // on the listener's event loop: no accept runs between "stop accepting" and sending it
            listener.eventLoop().execute(() -> {
                listener.config().setAutoRead(false);
                ListenerHandover.send(ctx.channel(), listener).addListener(f -> {
                    if (!f.isSuccess()) {
                        handedOver.completeExceptionally(f.cause());
                        ctx.close();
                    }
                });
                // right behind the descriptor: the new side must not lose it to its descriptor reads
                ctx.writeAndFlush(Unpooled.copiedBuffer("listener\n", StandardCharsets.US_ASCII));
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            String said = line.toString(StandardCharsets.US_ASCII);
            if (!said.equals("taken")) {
                handedOver.completeExceptionally(new IllegalStateException("new side said " + said));
                ctx.close();
                return;
            }
            listener.close().addListener(closed -> ctx.writeAndFlush(Unpooled.copiedBuffer("bye\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE)
                    .addListener(written -> {
                        if (written.isSuccess()) {
                            handedOver.complete(null);
                        } else {
                            handedOver.completeExceptionally(written.cause());
                        }
                    }));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handedOver.completeExceptionally(cause);
            ctx.close();
        }
    }
}
