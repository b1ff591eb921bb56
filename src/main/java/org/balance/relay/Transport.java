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
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ThreadFactory;

/** The I/O transport: Linux epoll when its native library loads, Java NIO everywhere else. */
public final class Transport {
    /** The transports by the names {@code balance.transport} takes, best first. */
    public static final java.util.List<String> NAMES = java.util.List.of("epoll", "nio");
    private final boolean epoll;

    private Transport(boolean epoll) {
        this.epoll = epoll;
    }

    /** Epoll if available, unless the system property {@code balance.transport=nio} asks for NIO. */
    public static Transport detect() {
        return named(System.getProperty("balance.transport", ""));
    }

    /** {@code nio} for NIO; anything else is epoll where its native library loads, NIO elsewhere. */
    public static Transport named(String name) {
        return new Transport(!"nio".equalsIgnoreCase(name) && Epoll.isAvailable());
    }

    public boolean isEpoll() {
        return epoll;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    public EventLoopGroup newGroup(int threads, ThreadFactory threads0) {
        IoHandlerFactory factory = epoll ? EpollKeepRegistered.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, threads0, factory);
    }

    /** A listening TCP channel; {@code ipv6} forces an IPv6 socket (the default is dual-stack anyway). */
    public ServerChannel newServerChannel(boolean ipv6) {
        if (epoll) {
            return ipv6 ? new EpollServerSocketChannel(SocketProtocolFamily.INET6) : new EpollServerSocketChannel();
        }
        return ipv6
                ? new NioServerSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET6)
                : new NioServerSocketChannel();
    }

    /** An unregistered outgoing TCP channel of the given address family. Throws ChannelException without a socket. */
    public SocketChannel newSocketChannel(boolean ipv6) {
        SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return epoll ? new EpollSocketChannel(family) : new NioSocketChannel(SelectorProvider.provider(), family);
    }
}
