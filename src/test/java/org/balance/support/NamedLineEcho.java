package org.balance.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Netty child initializer for tests: answers a connection's first line {@code L} with {@code NAME:L} and closes,
 * so a client learns which server accepted it. Exceptions on the event loop are kept for the test to re-throw.
 */
@ChannelHandler.Sharable
public final class NamedLineEcho extends ChannelInitializer<Channel> {
    private final String name;
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

    public NamedLineEcho(String name) {
        this.name = name;
    }

    /** Throws the first exception an echoing channel met, if any. */
    public void rethrow() {
        Throwable t = failures.peek();
        if (t != null) {
            throw new AssertionError(name + " side failed on its event loop", t);
        }
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new LineBasedFrameDecoder(256), new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
                String answer = name + ":" + line.toString(StandardCharsets.US_ASCII) + "\n";
                ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failures.add(cause);
                ctx.close();
            }
        });
    }
}
