package org.balance.relay;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The I/O transport of the relay: Linux epoll when its native library loads, Java NIO everywhere else. Chosen
 * once at start-up by the system property {@code balance.transport} ({@code epoll}, {@code nio}); {@code -d} says
 * which. (Netty's io_uring transport was tried and dropped on kernel 6.18: no measurable gain over epoll, and a
 * server's reset did not reach a client under backpressure; see docs/BENCH.md.)
 */
public final class Transport {
    /** The transports by the names {@code balance.transport} takes. */
    public static final List<String> NAMES = List.of("epoll", "nio");

    private enum Kind { EPOLL, NIO }

    private final Kind kind;
    private UrgentData urgentData;

    private Transport(Kind kind) {
        this.kind = kind;
    }

    /** What this transport does with urgent (out-of-band) data; looked up once, when first asked. */
    synchronized UrgentData urgentData() {
        if (urgentData == null) {
            urgentData = UrgentData.forTransport(this);
        }
        return urgentData;
    }

    /** One line for {@code -d}: whether urgent data is forwarded as urgent data, inline, or not at all. */
    public String describeUrgentData() {
        return urgentData().describe();
    }

    /** The transport the system property {@code balance.transport} names, or the default. */
    public static Transport detect() {
        return named(System.getProperty("balance.transport", ""));
    }

    /** {@code nio} for NIO, anything else the default: epoll where its native library loads, NIO elsewhere. */
    public static Transport named(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        if (wanted.equals("nio")) {
            return new Transport(Kind.NIO);
        }
        return new Transport(Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO);
    }

    public boolean isEpoll() {
        return kind == Kind.EPOLL;
    }

    /** Linux's own transport, which can set any socket option. */
    public boolean isNative() {
        return kind != Kind.NIO;
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
            case EPOLL -> EpollKeepRegistered.newFactory(urgentData().isUrgent());
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, factory);
    }

    /** A listening TCP channel; {@code ipv6} forces an IPv6 socket (the default is dual-stack anyway). */
    public ServerChannel newServerChannel(boolean ipv6) {
        return switch (kind) {
            case EPOLL -> new RelayServerSocketChannel(ipv6);
            case NIO -> ipv6
                    ? new NioServerSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET6)
                    : new NioServerSocketChannel();
        };
    }

    /**
     * A listening TCP channel made of a listening socket taken over from another process (epoll only); it owns the
     * descriptor from then on.
     */
    public static ServerChannel adoptServerChannel(int fd) {
        return new RelayServerSocketChannel(fd);
    }

    /** An unregistered outgoing TCP channel of the given address family. Throws ChannelException without a socket. */
    public SocketChannel newSocketChannel(boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return switch (kind) {
            case EPOLL -> new RelaySocketChannel(family);
            case NIO -> new NioSocketChannel(SelectorProvider.provider(), family);
        };
    }

    /** Connects {@code ch} (from this transport) to {@code remote}, from {@code local} if not null. */
    public static ChannelFuture connect(SocketChannel ch, InetSocketAddress remote, InetSocketAddress local) {
        if (ch instanceof RelaySocketChannel relay) {
            return relay.connectTo(remote, local);
        }
        return local == null ? ch.connect(remote) : ch.connect(remote, local);
    }

    /** An unregistered UDP channel for this transport's event loops (the DNS queries of {@code --resolve}). */
    public DatagramChannel newDatagramChannel() {
        return switch (kind) {
            case EPOLL -> new EpollDatagramChannel();
            case NIO -> new NioDatagramChannel();
        };
    }
}
