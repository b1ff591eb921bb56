package org.balance.relay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The I/O transport of the relay: Linux epoll when its native library loads, io_uring when asked for and the
 * kernel allows it, Java NIO everywhere else. Chosen once at start-up by the system property
 * {@code balance.transport} ({@code epoll}, {@code io_uring}, {@code nio}); {@code -d} says which.
 */
public final class Transport {
    /** The transports by the names {@code balance.transport} takes. */
    public static final List<String> NAMES = List.of("epoll", "io_uring", "nio");

    private enum Kind { EPOLL, IO_URING, NIO }

    private final Kind kind;

    private Transport(Kind kind) {
        this.kind = kind;
    }

    /** The transport the system property {@code balance.transport} names, or the default. */
    public static Transport detect() {
        return named(System.getProperty("balance.transport", ""));
    }

    /**
     * {@code nio} for NIO, {@code io_uring} for io_uring where the kernel and native library allow it (else the
     * default), anything else the default: epoll where its native library loads, NIO elsewhere.
     */
    public static Transport named(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        if (wanted.equals("nio")) {
            return new Transport(Kind.NIO);
        }
        if (wanted.equals("io_uring") && IoUring.isAvailable()) {
            return new Transport(Kind.IO_URING);
        }
        return new Transport(Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO);
    }

    /** Why io_uring cannot be used here, or null if it can. */
    public static String ioUringUnavailability() {
        Throwable cause = IoUring.unavailabilityCause();
        return cause == null ? null : String.valueOf(cause.getMessage());
    }

    public boolean isEpoll() {
        return kind == Kind.EPOLL;
    }

    /** Linux's own transports (epoll, io_uring), which can set any socket option. */
    public boolean isNative() {
        return kind != Kind.NIO;
    }

    /**
     * The transport for the control socket and syslog, which need Unix domain sockets with peer credentials:
     * this one, unless it is io_uring, which then leaves them to epoll.
     */
    public Transport local() {
        return kind == Kind.IO_URING ? new Transport(Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO) : this;
    }

    public String name() {
        return NAMES.get(kind.ordinal());
    }

    @Override
    public String toString() {
        return name();
    }

    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        IoHandlerFactory factory = switch (kind) {
            case EPOLL -> EpollKeepRegistered.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, factory);
    }

    /** A listening TCP channel; {@code ipv6} forces an IPv6 socket (the default is dual-stack anyway). */
    public ServerChannel newServerChannel(boolean ipv6) {
        return switch (kind) {
            case EPOLL -> ipv6 ? new EpollServerSocketChannel(SocketProtocolFamily.INET6) : new EpollServerSocketChannel();
            // io_uring's listening sockets are always dual-stack IPv6 where the system has IPv6
            case IO_URING -> new IoUringServerSocketChannel();
            case NIO -> ipv6
                    ? new NioServerSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET6)
                    : new NioServerSocketChannel();
        };
    }

    /** An unregistered outgoing TCP channel of the given address family. Throws ChannelException without a socket. */
    public SocketChannel newSocketChannel(boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return switch (kind) {
            case EPOLL -> new EpollSocketChannel(family);
            // dual-stack: IPv4 servers are reached through IPv4-mapped addresses
            case IO_URING -> new IoUringSocketChannel();
            case NIO -> new NioSocketChannel(SelectorProvider.provider(), family);
        };
    }
}
