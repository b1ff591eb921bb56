package org.balance.runtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedChannelException;
import org.balance.relay.Transport;

/**
 * Passes a listening TCP socket from a running instance (the old side) to a starting one (the new side) over a
 * Unix domain socket (SCM_RIGHTS), so that both hold the same kernel socket and its one accept queue: no client is
 * refused while one instance replaces the other, and those queued while nobody accepts are accepted by the new one.
 *
 * <p>The exchange on one domain socket connection: the old side stops accepting and {@link #send}s the listener;
 * the new side {@link #receive}s it, {@link #adopt}s it, and both may then talk in text on the same connection
 * (the new side says it has taken the listener, the old one closes its copy and says goodbye). Until the old side
 * stops accepting, both may accept from the one queue; each client is accepted once, by one of them. The old
 * side's accepted sessions are its own to drain: closing its listener does not touch them.
 *
 * <p>Descriptors and who closes them. {@code send} lends the listener's descriptor: the kernel gives the receiver a
 * descriptor of its own for the same socket, and the sender's stays the listener channel's (Netty does not close a
 * written {@code FileDescriptor}). The socket listens for as long as any descriptor refers to it; closing the old
 * listener channel removes it from the old epoll set and closes that copy only (Netty calls no shutdown() on a
 * listener), and the old process's exit does the same. The received descriptor is the receiver's until
 * {@code adopt} hands it to the new channel, which then closes it; {@code adopt} closes it too when the channel
 * cannot be made or registered. Netty's {@code FileDescriptor} has no cleaner: one the new side never adopts nor
 * closes leaks, and worse, the socket keeps listening and queueing clients that nobody will accept.
 *
 * <p>Text after the descriptor. In {@code FILE_DESCRIPTORS} read mode every read is a one-byte recvmsg that
 * expects a descriptor (Netty's {@code sendFd} sends one dummy byte with it); plain bytes read that way vanish
 * without an event or an error (tried: "hello\n" sent to a reader in that mode was never seen, the connection
 * stayed open, and only bytes sent after it switched to {@code BYTES} arrived). So {@code receive} switches to
 * {@code BYTES} within the read that brought the descriptor, before Netty's read loop could take another byte,
 * and turns auto-read off there too, so that bytes the old side sends right behind the descriptor wait in the
 * socket until the caller's handlers are in place and it reads (the test sends a line that way). Netty's epoll
 * {@code sendFd} throws an Error instead of waiting when the socket buffer is full (4.2.18), so the descriptor
 * goes first on a fresh connection, never behind bulk data.
 *
 * <p>The adopted channel is open and active as soon as it is made (SO_ERROR is 0), {@code localAddress()} is the
 * listener's address (read from the socket by getsockname), and its auto-read starts and stops accepting as for
 * a bound one. Options the caller's bootstrap sets on it apply to the shared socket; SO_BACKLOG changes nothing
 * (the backlog was given to listen() by the old side).
 *
 * <p>Epoll only: Netty's NIO transport has no descriptor passing (neither a {@code FileDescriptor} message nor a
 * server channel made from a descriptor), so with NIO the new instance must wait for the old one to close its
 * listener and then bind: clients arriving in between are refused, and those queued at the close are reset.
 */
public final class ListenerHandover {

    /** What the new side holds after {@link #receive}: the connection (auto-read off, BYTES) and the listener. */
    public record Received(EpollDomainSocketChannel connection, FileDescriptor listener) {
    }

    private ListenerHandover() {
    }

    /**
     * Old side: writes the descriptor of {@code listener} (an epoll server channel) to the new side over
     * {@code connection}, an epoll domain socket connection. The listener stays this side's to close; stop its
     * accepting first (auto-read off, on its event loop) if clients should wait in the queue for the new side.
     */
    public static ChannelFuture send(Channel connection, Channel listener) {
        if (!(connection instanceof EpollDomainSocketChannel)) {
            throw new IllegalArgumentException("not an epoll domain socket connection: " + connection);
        }
        if (!(listener instanceof ServerChannel) || !(listener instanceof UnixChannel)) {
            throw new IllegalArgumentException("no descriptor to pass (epoll listeners only): " + listener);
        }
        return connection.writeAndFlush(((UnixChannel) listener).fd());
    }

    /**
     * New side: connects to the old side's domain socket, sends {@code request} (the line that asks for the listener,
     * or null for none) and waits for one listener descriptor. Completes with the connection, auto-read off and in
     * BYTES mode, ready for the caller's handlers, and the descriptor, which the caller must {@link #adopt} or close.
     * Fails if the connection ends before a descriptor came; cancelling it closes the connection (and a descriptor
     * that arrives after that).
     */
    public static Future<Received> receive(EventLoopGroup group, DomainSocketAddress oldSide, String request) {
        Promise<Received> received = group.next().newPromise();
        ChannelFuture connect = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .handler(new OneDescriptor(received))
                .connect(oldSide);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                received.tryFailure(f.cause());
            } else if (request != null) {
                Channel ch = connect.channel();
                ch.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
            }
        });
        received.addListener(f -> {
            if (!f.isSuccess()) {
                connect.channel().close();
            }
        });
        return received;
    }

    /** As {@link #receive(EventLoopGroup, DomainSocketAddress, String)} without a request. */
    public static Future<Received> receive(EventLoopGroup group, DomainSocketAddress oldSide) {
        return receive(group, oldSide, null);
    }

    /**
     * New side: makes a listener channel of {@code listener} and registers it with the caller's configuration
     * ({@code configured}: group, handler, options, child handler and options; it is copied, not changed) instead
     * of binding. The channel owns the descriptor from then on; it is closed here if registering fails.
     */
    public static ChannelFuture adopt(FileDescriptor listener, ServerBootstrap configured) {
        ServerChannel channel;
        try {
            channel = Transport.adoptServerChannel(listener.intValue());
        } catch (RuntimeException e) {
            closeQuietly(listener);
            throw e;
        }
        // register() closes the channel, and with it the descriptor, when it fails
        return configured.clone().channelFactory(() -> channel).register();
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }

    /** Takes the first descriptor off the connection, then leaves the connection to the caller. */
    private static final class OneDescriptor extends ChannelInboundHandlerAdapter {
        private final Promise<Received> received;

        OneDescriptor(Promise<Received> received) {
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            EpollDomainSocketChannel ch = (EpollDomainSocketChannel) ctx.channel();
            // still inside the recvmsg loop: auto-read off ends it before it reads anything else as a descriptor
            ch.config().setAutoRead(false);
            ch.config().setReadMode(DomainSocketReadMode.BYTES);
            ctx.pipeline().remove(this);
            FileDescriptor fd = (FileDescriptor) msg;
            if (!received.trySuccess(new Received(ch, fd))) {
                closeQuietly(fd);
                ch.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            received.tryFailure(new ClosedChannelException());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            received.tryFailure(cause);
            ctx.close();
        }
    }
}
