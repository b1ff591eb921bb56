package org.balance.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The listening side: binds the port and gives every accepted client a session pipeline. Accepted and
 * outgoing sockets get SO_KEEPALIVE (accepted ones from the listener, see below) and TCP_NODELAY from Netty,
 * which turns it on by default.
 */
public final class ProxyServer {
    /**
     * SO_KEEPALIVE set once on a native listening socket: Linux copies it to every socket the listener accepts,
     * which saves a system call per session. (NIO cannot set it on a listener and sets it per accepted socket.)
     */
    private static final IntegerUnixChannelOption LISTENER_KEEPALIVE =
            new IntegerUnixChannelOption("SO_KEEPALIVE", 1 /* SOL_SOCKET */, 9 /* SO_KEEPALIVE */);

    private final Transport transport;
    private final EventLoopGroup group;
    private final RelaySettings settings;
    private final ResourceTrouble trouble;
    private final Connector connector;

    public ProxyServer(Transport transport, EventLoopGroup group, RelaySettings settings) {
        this.transport = transport;
        this.group = group;
        this.settings = settings;
        this.trouble = new ResourceTrouble(settings.log());
        this.connector = new Connector(settings, transport, trouble);
    }

    /**
     * Binds and listens, but does not accept yet: the kernel queues clients until {@link #startAccepting}, so
     * that the rest of start-up (the control socket, the statistics endpoint) gets its descriptors before any
     * session can take them. The returned channel's close future completes when the listener closes.
     */
    public Channel bind(InetSocketAddress address, boolean ipv6) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channelFactory(() -> transport.newServerChannel(ipv6))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new AcceptErrorHandler(trouble))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SessionBuffers.WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, SessionBuffers.ALLOCATOR)
                .childHandler(new SessionInitializer());
        if (transport.isNative()) {
            // Both copied to every accepted socket by Linux.
            b.option(LISTENER_KEEPALIVE, 1);
            b.option(UrgentData.NATIVE_OOB_INLINE, 1);
        } else {
            b.childOption(ChannelOption.SO_KEEPALIVE, true);
            ChannelOption<Boolean> oobInline = transport.urgentData().nioOobInline();
            if (oobInline != null) {
                b.childOption(oobInline, true);
            }
        }
        return b.bind(address).sync().channel();
    }

    /** Starts accepting the clients on a listener from {@link #bind}, those queued meanwhile first. */
    public static void startAccepting(Channel listener) {
        listener.config().setAutoRead(true);
    }

    /** The operator-facing part of an I/O error: Netty's native messages read "accept(..) failed with error(-24): Too many open files". */
    public static String reason(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int colon = m.indexOf("): ");
        return m.contains("(..) failed") && colon >= 0 ? m.substring(colon + 3) : m;
    }

    /** Builds a session's pipeline: the optional idle timer, then the client-side relay. */
    private final class SessionInitializer extends ChannelInitializer<SocketChannel> {
        private final UrgentData urgent = transport.urgentData();

        @Override
        protected void initChannel(SocketChannel ch) {
            if (settings.idleTimeoutSeconds() > 0) {
                ch.pipeline().addLast(new IdleStateHandler(0, 0, settings.idleTimeoutSeconds(), TimeUnit.SECONDS));
            }
            ch.pipeline().addLast(new ClientSideHandler(settings, urgent, connector));
        }
    }
}
