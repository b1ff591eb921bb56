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
    private final ResourceTrouble trouble;
    /** What new sessions get: replaced as a whole by a reload, read once per session. */
    private volatile Setup setup;

    /** The settings and the connector made from them. */
    private record Setup(RelaySettings settings, Connector connector) {
    }

    public ProxyServer(Transport transport, EventLoopGroup group, RelaySettings settings) {
        this.transport = transport;
        this.group = group;
        this.trouble = new ResourceTrouble(settings.log());
        this.setup = new Setup(settings, new Connector(settings, transport, trouble));
    }

    /** A reload: sessions accepted from now on get {@code settings}; those in progress keep theirs. */
    public void update(RelaySettings settings) {
        setup = new Setup(settings, new Connector(settings, transport, trouble));
    }

    /**
     * Binds and listens, but does not accept yet: the kernel queues clients until {@link #startAccepting}, so
     * that the rest of start-up (the control socket, the statistics endpoint) gets its descriptors before any
     * session can take them. The returned channel's close future completes when the listener closes.
     */
    public Channel bind(InetSocketAddress address, boolean ipv6) throws InterruptedException {
        return bootstrap().channelFactory(() -> transport.newServerChannel(ipv6)).bind(address).sync().channel();
    }

    /**
     * How the listener is set up, but for its channel: for {@link #bind}, and for a listening socket taken over from
     * another instance (made from its descriptor and registered instead of bound). Accepting waits for
     * {@link #startAccepting}.
     */
    public ServerBootstrap bootstrap() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new AcceptErrorHandler(trouble))
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
        return b;
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

    /**
     * Builds a session's pipeline with the settings of the moment: the optional idle timer, what the session policy
     * puts before the relay ({@code --accept-proxy}), then the client-side relay.
     */
    private final class SessionInitializer extends ChannelInitializer<SocketChannel> {
        private final UrgentData urgent = transport.urgentData();

        @Override
        protected void initChannel(SocketChannel ch) {
            Setup now = setup;
            RelaySettings settings = now.settings();
            if (settings.idleTimeoutSeconds() > 0) {
                ch.pipeline().addLast(new IdleStateHandler(0, 0, settings.idleTimeoutSeconds(), TimeUnit.SECONDS));
            }
            boolean awaitOrigin = settings.policy().admit(ch.pipeline());
            ch.pipeline().addLast(new ClientSideHandler(settings, urgent, now.connector(), awaitOrigin));
        }
    }
}
