package org.balance.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import org.balance.balancing.Destination;

/**
 * Sits on an accepted client connection: has the {@link Connector} find and connect a server, then relays
 * client to server, counting "sent" bytes. Nothing is asked of the client before the server connection is up,
 * but what arrives anyway is kept for the server: epoll reads a half-closing client's bytes to the end of its
 * stream without being asked ({@code printf 'PING\r\n' | nc -N host port}), so the request and the end of input
 * wait here until there is somewhere to pass them on.
 */
final class ClientSideHandler extends RelayHandler {
    private final Connector connector;
    /** The session starts when the policy before the relay fires its {@link Origin}, not when the client connects. */
    private final boolean awaitOrigin;
    /** Bytes and the end of input that came before the server connection was up. */
    private ArrayDeque<Object> early;
    private boolean endedEarly;

    ClientSideHandler(RelaySettings settings, UrgentData urgent, Connector connector, boolean awaitOrigin) {
        super(settings, urgent);
        this.connector = connector;
        this.awaitOrigin = awaitOrigin;
    }

    @Override
    boolean towardsServer() {
        return true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        settings.sessions().opened(client);
        if (settings.log().isDebug()) {
            settings.log().debug("connect from " + client.remoteAddress());
        }
        if (!awaitOrigin) {
            connector.connect(client, Origin.of(client), this);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null && msg instanceof ByteBuf buf) {
            if (early == null) {
                early = new ArrayDeque<>(2);
            }
            early.add(beginsWithUrgentByte(ctx.channel()) ? new UrgentFirst(buf) : buf);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    void inputEnded(Channel self) {
        if (peer == null) {
            endedEarly = true;
            return;
        }
        super.inputEnded(self);
    }

    /**
     * Called by the connector on the session's event loop once the server connection is up; {@code written}: the
     * session policy wrote something to it that is not flushed yet (a PROXY header), which goes out first.
     */
    void established(Channel client, Channel server, Destination destination, boolean written) {
        attach(server, destination);
        if (written && early == null) {
            server.flush();
        }
        if (early != null) {
            for (Object item; (item = early.poll()) != null; ) {
                if (item instanceof UrgentFirst u) {
                    forward(client, u.buf(), true);
                } else {
                    forward(client, (ByteBuf) item, false);
                }
            }
            early = null;
            server.flush();
        }
        if (endedEarly) {
            super.inputEnded(client);
        }
        startReading(client);
        startReading(server);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settings.sessions().closed(ctx.channel());
        if (early != null) {
            early.forEach(RelayHandler::release);
            early = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            settings.log().error("timed out after " + settings.idleTimeoutSeconds() + " seconds");
            closeBoth(ctx.channel(), peer);
            return;
        }
        if (evt instanceof Origin origin && awaitOrigin && peer == null) {
            connector.connect(ctx.channel(), origin, this);
            return;
        }
        if (evt == SessionCounters.CLOSE_NOW) {
            closeOnFlush(peer);
            closeOnFlush(ctx.channel());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
