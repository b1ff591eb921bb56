package org.balance.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.balance.balancing.Destination;

/**
 * Moves bytes from the channel it sits on to its peer, for one direction of a session. Both channels of a
 * session run on the same event loop, so the two handlers share no locks.
 *
 * <ul>
 *   <li>Backpressure: auto-read is off; after a batch of reads the peer is flushed, and reading goes on only
 *       while the peer is writable. When the peer drains below its low watermark it resumes this side.
 *       (Auto-read with read interest toggled only under backpressure saves two epoll_ctl calls per
 *       request, but lost the last bytes of chained transfers now and then: not worth it.)</li>
 *   <li>Half-close: when this side's input ends, the peer's output is shut down once everything before it has
 *       been written, and the other direction keeps flowing. When both directions have ended, both close.</li>
 *   <li>Failure: a reset or failed write closes both sides, the peer after flushing what it still has.</li>
 * </ul>
 */
abstract class RelayHandler extends ChannelInboundHandlerAdapter {
    protected final RelaySettings settings;
    protected Destination destination;
    protected Channel peer;

    RelayHandler(RelaySettings settings) {
        this.settings = settings;
    }

    /** True for the client side: its bytes go to the server and count as "sent". */
    abstract boolean towardsServer();

    /** Starts relaying to {@code peer}, counting bytes on {@code destination}. */
    void attach(Channel peer, Destination destination) {
        this.peer = peer;
        this.destination = destination;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        forward(buf);
    }

    /** Counts, dumps and writes (without flushing) {@code buf} to the peer; drops it if the peer is gone. */
    final void forward(ByteBuf buf) {
        Channel to = peer;
        if (to == null || !to.isActive()) {
            buf.release();
            return;
        }
        int n = buf.readableBytes();
        if (towardsServer()) {
            destination.addSent(n);
        } else {
            destination.addReceived(n);
        }
        PacketDump dump = settings.packetDump();
        if (dump != null) {
            dump.print(towardsServer(), buf);
        }
        to.write(buf, to.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel to = peer;
        if (to == null) {
            return;
        }
        to.flush();
        if (to.isWritable()) {
            readMore(ctx.channel());
        }
    }

    /** This side drained: let the peer, which writes into it, read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer != null) {
            readMore(peer);
        }
        ctx.fireChannelWritabilityChanged();
    }

    static void readMore(Channel ch) {
        if (ch.isActive() && !((DuplexChannel) ch).isInputShutdown()) {
            ch.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputEnded(ctx.channel());
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** This side sent FIN: pass it on after what is pending, and close when both directions are done. */
    void inputEnded(Channel self) {
        PacketDump dump = settings.packetDump();
        if (dump != null) {
            dump.printEnd(towardsServer());
        }
        Channel to = peer;
        if (to == null || !to.isActive()) {
            self.close();
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                peerFailed(self, to);
                return;
            }
            ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (!shut.isSuccess()) {
                    peerFailed(self, to);
                } else if (bothDirectionsEnded(self, to)) {
                    self.close();
                    to.close();
                }
            });
        });
    }

    /**
     * Passing the end on to {@code to} failed: it is gone. {@code self} may still have the other direction's
     * data to deliver, so it is closed only after that is flushed.
     */
    private static void peerFailed(Channel self, Channel to) {
        to.close();
        closeOnFlush(self);
    }

    private static boolean bothDirectionsEnded(Channel a, Channel b) {
        DuplexChannel x = (DuplexChannel) a;
        DuplexChannel y = (DuplexChannel) b;
        return x.isInputShutdown() && y.isInputShutdown() && x.isOutputShutdown() && y.isOutputShutdown();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (settings.log().isDebug()) {
            settings.log().debug((towardsServer() ? "client" : "server") + " side error: " + cause);
        }
        closeBoth(ctx.channel(), peer);
    }

    static void closeBoth(Channel a, Channel b) {
        if (a != null) {
            a.close();
        }
        closeOnFlush(b);
    }

    /** Closes {@code ch} once what has been written to it is flushed. */
    static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (ch != null) {
            ch.close();
        }
    }
}
