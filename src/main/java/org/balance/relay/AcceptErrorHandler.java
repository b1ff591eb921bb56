package org.balance.relay;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Sits on the listening channel. When accepting fails (typically "Too many open files"), it stops accepting for
 * a short pause instead of spinning on the error and tries again; connections wait in the kernel's backlog
 * meanwhile. The episode is logged once, through {@link ResourceTrouble}.
 */
@ChannelHandler.Sharable
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    static final long PAUSE_MILLIS = 100;
    private final ResourceTrouble trouble;

    AcceptErrorHandler(ResourceTrouble trouble) {
        this.trouble = trouble;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        trouble.failed(ctx.executor(), "accept: " + ProxyServer.reason(cause));
        ChannelConfig config = ctx.channel().config();
        config.setAutoRead(false);
        ctx.executor().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
