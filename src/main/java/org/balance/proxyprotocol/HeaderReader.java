package org.balance.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.balance.log.Log;
import org.balance.relay.Origin;
import org.balance.relay.SessionCounters;

/**
 * {@code --accept-proxy}, behind Netty's {@code HAProxyMessageDecoder} on a client's connection: asks for the client's
 * first bytes, and once the decoder has read a PROXY header, fires the session's {@link Origin} (the relay then chooses
 * a channel) and leaves the pipeline; what followed the header goes on to the relay as the client's first bytes. A
 * connection whose header is invalid, that ends or fails before it, or that sends none within
 * {@link #TIMEOUT_MILLIS}, is closed before any channel is chosen, counted and logged.
 */
final class HeaderReader extends ChannelInboundHandlerAdapter {
    /** How long a client may take to send its header: a front load balancer sends it at once. */
    static final long TIMEOUT_MILLIS = 3000;

    private final Log log;
    private final SessionCounters sessions;
    private final long timeoutMillis;
    private ScheduledFuture<?> timer;
    private boolean done;

    HeaderReader(Log log, SessionCounters sessions) {
        this(log, sessions, TIMEOUT_MILLIS);
    }

    HeaderReader(Log log, SessionCounters sessions, long timeoutMillis) {
        this.log = log;
        this.sessions = sessions;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(
                () -> reject(ctx, "no PROXY header within " + timeoutMillis + " ms"), timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
        // A read, should the pipeline have auto-read off; the decoder asks for more until it has the header.
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Origin origin;
        try {
            origin = originOf(header, ctx.channel());
        } catch (RuntimeException e) {
            reject(ctx, "invalid PROXY header: " + e.getMessage());
            return;
        } finally {
            ReferenceCountUtil.release(header);
        }
        done = true;
        cancelTimer();
        if (log.isDebug()) {
            log.debug("PROXY header from " + ctx.channel().remoteAddress() + ": client " + origin.source()
                    + ", connected to " + origin.destination());
        }
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(origin);
    }

    /**
     * The session's origin from its header: the header's addresses for a proxied TCP connection over IPv4 or IPv6;
     * the connection's own for a LOCAL command (a front's health check) or an UNKNOWN or Unix-socket one.
     */
    static Origin originOf(HAProxyMessage header, Channel client) {
        AddressFamily family = header.proxiedProtocol().addressFamily();
        if (header.command() == HAProxyCommand.LOCAL || (family != AddressFamily.AF_IPv4 && family != AddressFamily.AF_IPv6)) {
            return Origin.of(client);
        }
        return new Origin(address(header.sourceAddress(), header.sourcePort()),
                address(header.destinationAddress(), header.destinationPort()));
    }

    private static InetSocketAddress address(String text, int port) {
        InetAddress a = NetUtil.createInetAddressFromIpAddressString(text);
        if (a == null) {
            throw new IllegalArgumentException("not an IP address [" + text + "]");
        }
        return new InetSocketAddress(a, port);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (done) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        String why = cause instanceof DecoderException
                ? "invalid PROXY header: " + message(cause)
                : "error before the PROXY header: " + message(cause);
        reject(ctx, why);
    }

    private static String message(Throwable cause) {
        Throwable c = cause;
        while (c.getMessage() == null && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!done && evt == ChannelInputShutdownEvent.INSTANCE) {
            reject(ctx, "closed before its PROXY header");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            reject(ctx, "closed before its PROXY header");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    /** Closes a client without a valid header, once, with its reason in the log and the instance's count. */
    private void reject(ChannelHandlerContext ctx, String why) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        sessions.headerRejected();
        log.notice("client " + ctx.channel().remoteAddress() + ": " + why + "; closed");
        ctx.close();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
