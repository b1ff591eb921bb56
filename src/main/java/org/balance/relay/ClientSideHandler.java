package org.balance.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import org.balance.balancing.Destination;
import org.balance.relay.SessionRecord.End;

/**
 * Sits on an accepted client connection: has the {@link Connector} find and connect a server, then relays
 * client to server, counting "sent" bytes. The client is read from the start: what arrives before the server
 * connection is up (the request, its end of input) is kept here for the server, up to the high water mark
 * ({@link SessionBuffers}), after which reading waits for the server. Reading from the start means the accepted
 * socket is added to epoll once, already waiting for input, instead of being added idle and changed when the
 * server answers: one {@code epoll_ctl} per session fewer ({@code scripts/syscalls-per-session}). (Epoll also reads
 * a half-closing client's bytes to the end of its stream whatever it is asked,
 * {@code printf 'PING\r\n' | nc -N host port}.)
 */
final class ClientSideHandler extends RelayHandler {
    private final Connector connector;
    /** The session starts when the policy before the relay fires its {@link Origin}, not when the client connects. */
    private final boolean awaitOrigin;
    /** Bytes and the end of input that came before the server connection was up. */
    private ArrayDeque<Object> early;
    private long earlyBytes;
    private boolean endedEarly;
    /** The admission of a session that started, given back when the client connection closes; null before and after. */
    private Admission.Verdict admitted;

    ClientSideHandler(RelaySettings settings, UrgentData urgent, Connector connector, boolean awaitOrigin) {
        super(settings, urgent);
        this.connector = connector;
        this.awaitOrigin = awaitOrigin;
        if (settings.sessionLog() != null) {
            trace = new SessionTrace();
        }
    }

    @Override
    boolean towardsServer() {
        return true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        settings.sessions().opened(client);
        if (trace != null) {
            trace.accepted(client);
        }
        if (settings.log().isDebug()) {
            settings.log().debug("connect from " + client.remoteAddress());
        }
        if (!awaitOrigin) {
            start(client, Origin.of(client));
        }
        ctx.fireChannelActive();
    }

    /**
     * The session's origin is known: the admission decides whether it may start (if not, the client is reset at once,
     * before any server connection), then the connector finds it a server.
     */
    private void start(Channel client, Origin origin) {
        if (trace != null) {
            trace.origin = origin;
        }
        Admission.Verdict verdict = settings.admission().admit(origin);
        Admission.Refusal refusal = verdict.refusal();
        if (refusal != null) {
            settings.sessions().refuse(refusal);
            ending(refusal == Admission.Refusal.LIMIT ? End.REFUSED_LIMIT : End.REFUSED_LIST);
            // A reset, not a FIN: the client learns at once, and no TIME_WAIT is left here per refused connection.
            client.config().setOption(ChannelOption.SO_LINGER, 0);
            client.close();
            return;
        }
        admitted = verdict;
        if (trace != null) {
            trace.connecting();
        }
        connector.connect(client, origin, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null && msg instanceof ByteBuf buf) {
            if (early == null) {
                early = new ArrayDeque<>(2);
            }
            earlyBytes += buf.readableBytes();
            early.add(beginsWithUrgentByte(ctx.channel()) ? new UrgentFirst(buf) : buf);
            if (earlyBytes >= SessionBuffers.WATER_MARK.high()) {
                // as much as a server that does not read could make us hold: wait for the server (established)
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    void inputEnded(Channel self) {
        if (peer == null) {
            endedEarly = true; // noted as the session's end once it has a server: a failed connect would say more
            return;
        }
        ending(End.CLIENT_CLOSED);
        super.inputEnded(self);
    }

    /**
     * Called by the connector on the session's event loop once the server connection is up; {@code written}: the
     * session policy wrote something to it that is not flushed yet (a PROXY header), which goes out first.
     */
    void established(Channel client, Channel server, int group, int channel, Destination destination, boolean written) {
        attach(server, destination);
        if (trace != null) {
            trace.connected(group, channel, destination.endpoint().address());
        }
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
            ending(End.CLIENT_CLOSED);
            super.inputEnded(client);
        }
        startReading(client);
        startReading(server);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settings.sessions().closed(ctx.channel());
        if (admitted != null) {
            admitted.ended();
            admitted = null;
        }
        if (trace != null) {
            settings.sessionLog().ended(trace.record(
                    awaitOrigin && trace.origin == null ? End.NO_PROXY_HEADER : End.CLIENT_CLOSED));
        }
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
            ending(End.IDLE_TIMEOUT);
            closeBoth(ctx.channel(), peer);
            return;
        }
        if (evt instanceof Origin origin && awaitOrigin && peer == null) {
            start(ctx.channel(), origin);
            return;
        }
        if (evt == SessionCounters.CLOSE_NOW) {
            ending(End.DRAINED);
            closeOnFlush(peer);
            closeOnFlush(ctx.channel());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
