package org.balance.health;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.balance.health.CheckAction.Connect;
import org.balance.relay.ProxyServer;
import org.balance.relay.Transport;

/**
 * The {@code connect} action: a TCP connection from the {@code -B} address, if any, to the channel, then the
 * optional send and expect, all within the action's timeout. Runs on an event loop of the proxy, like the
 * sessions, and closes with a reset (SO_LINGER 0), as HAProxy's checks do, so that checks leave no sockets
 * in TIME_WAIT behind.
 */
final class TcpProbe {
    private final Transport transport;
    private final InetAddress source;

    TcpProbe(Transport transport, InetAddress source) {
        this.transport = transport;
        this.source = source;
    }

    void run(Attempt attempt, InetSocketAddress address, Connect action) {
        SocketChannel ch;
        try {
            ch = transport.newSocketChannel(address.getAddress() instanceof Inet6Address);
        } catch (ChannelException e) {
            attempt.error("no socket: " + ProxyServer.reason(e.getCause() == null ? e : e.getCause()));
            return;
        }
        long timeout = action.timeoutMillis();
        ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeout));
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        Exchange exchange = new Exchange(attempt, action);
        ch.pipeline().addLast(exchange);
        attempt.deadline(timeout, exchange::timedOut);
        attempt.cleanup(ch::close);
        attempt.loop().register(ch).addListener(registered -> {
            if (!registered.isSuccess()) {
                attempt.error("no socket: " + ProxyServer.reason(registered.cause()));
                return;
            }
            if (attempt.finished()) {
                return;
            }
            ChannelFuture connecting = source == null ? ch.connect(address) : ch.connect(address, new InetSocketAddress(source, 0));
            connecting.addListener(connected -> {
                if (!connected.isSuccess()) {
                    attempt.fail(failure(connected.cause()));
                }
            });
        });
    }

    /** The operator's word for a failed connect or exchange. */
    static String failure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        String reason = ProxyServer.reason(cause);
        String lower = reason.toLowerCase(java.util.Locale.ROOT);
        if (cause instanceof ConnectException && lower.contains("refused")) {
            return "refused";
        }
        if (lower.contains("reset by peer")) {
            return "reset";
        }
        return lower;
    }

    /** Sends, then reads the reply until it decides; reports through the attempt. */
    private static final class Exchange extends ChannelInboundHandlerAdapter {
        private final Attempt attempt;
        private final Connect action;
        private final StringBuilder reply = new StringBuilder();
        private boolean connected;

        Exchange(Attempt attempt, Connect action) {
            this.attempt = attempt;
            this.action = action;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected = true;
            if (action.send() != null) {
                ByteBuf bytes = Unpooled.copiedBuffer(action.send(), StandardCharsets.ISO_8859_1);
                ctx.writeAndFlush(bytes).addListener(sent -> {
                    if (!sent.isSuccess()) {
                        attempt.fail(failure(sent.cause()));
                    } else if (action.expect() == null) {
                        attempt.pass();
                    }
                });
            } else if (action.expect() == null) {
                attempt.pass();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!(msg instanceof ByteBuf buf) || attempt.finished() || action.expect() == null) {
                    return;
                }
                int room = Expect.MAX_REPLY - reply.length();
                reply.append(buf.toString(buf.readerIndex(), Math.min(room, buf.readableBytes()), StandardCharsets.ISO_8859_1));
                judge();
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void judge() {
            if (action.expect() instanceof Expect.Prefix p) {
                String want = p.bytes();
                int n = Math.min(want.length(), reply.length());
                if (!reply.substring(0, n).equals(want.substring(0, n))) {
                    attempt.fail(unexpected());
                } else if (reply.length() >= want.length()) {
                    attempt.pass();
                }
            } else if (action.expect() instanceof Expect.Match m) {
                if (m.pattern().matcher(reply).find()) {
                    attempt.pass();
                } else if (reply.length() >= Expect.MAX_REPLY) {
                    attempt.fail(unexpected());
                }
            }
        }

        /** Why the exchange failed when its time was up. */
        String timedOut() {
            if (!connected) {
                return "timeout";
            }
            return reply.length() == 0 ? "timeout waiting for a reply" : unexpected();
        }

        private String unexpected() {
            return "unexpected reply `" + Escapes.show(reply.toString(), 60) + "`";
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!attempt.finished()) {
                if (action.expect() != null) {
                    attempt.fail(reply.length() == 0 ? "closed without a reply" : unexpected());
                } else if (connected) {
                    attempt.fail("closed before the send");
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(failure(cause));
        }
    }
}
