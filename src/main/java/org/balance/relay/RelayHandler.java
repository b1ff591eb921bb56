package org.balance.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Destination;

/**
 * Moves bytes from the channel it sits on to its peer, for one direction of a session. Both channels of a
 * session run on the same event loop, so the two handlers share no locks.
 *
 * <ul>
 *   <li>Backpressure: once the session is established both sides read on their own (auto-read), several reads
 *       per wake-up, and the peer is flushed after each batch. When the peer's pending output passes its high
 *       watermark, this side stops reading until the peer drains below its low watermark. Read interest only
 *       changes under backpressure, not on every request.</li>
 *   <li>Half-close: when this side's input ends, the peer's output is shut down once everything before it has
 *       been written, and the other direction keeps flowing. The direction that ends last needs no shutdown of
 *       its own: the session is over, and closing both sides (after flushing what they still have) sends the
 *       last FIN. That saves the half-close bookkeeping's system calls on every session.</li>
 *   <li>Failure: a reset or failed write closes both sides, the peer after flushing what it still has.</li>
 *   <li>Urgent data ({@link UrgentData}): a read that begins with an urgent byte sends that byte to the peer as
 *       urgent data once everything before it has gone out; until then this side stops reading, and what it had
 *       read already waits here, as does the end of its input.</li>
 * </ul>
 */
abstract class RelayHandler extends ChannelInboundHandlerAdapter {
    protected final RelaySettings settings;
    protected final UrgentData urgent;
    protected Destination destination;
    protected Channel peer;
    /** What {@code --log-sessions} notes about the session, or null when it is off. */
    protected SessionTrace trace;
    /** Epoll reported an urgent byte on this side that no read has begun with yet. */
    private boolean urgentUnread;
    /** While an urgent byte waits to go out: the rest of its read, and what came after (ByteBuf or UrgentFirst). */
    private ByteBuf urgentRest;
    private ArrayDeque<Object> held;
    private boolean endHeld;

    /** A read whose first byte is urgent. */
    record UrgentFirst(ByteBuf buf) {
    }

    RelayHandler(RelaySettings settings, UrgentData urgent) {
        this.settings = settings;
        this.urgent = urgent;
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
        forward(ctx.channel(), buf, beginsWithUrgentByte(ctx.channel()));
    }

    /**
     * Whether the read just made on {@code self} began with an urgent byte: epoll said one was unread, and now it
     * no longer is. (A read stops before the urgent byte, so the read that takes it begins with it.)
     */
    final boolean beginsWithUrgentByte(Channel self) {
        if (!urgent.isUrgent()) {
            return false;
        }
        if (EpollKeepRegistered.urgentEvent(self)) {
            urgentUnread = true;
        }
        if (!urgentUnread || urgent.unreadUrgentByte(self)) {
            return false;
        }
        urgentUnread = false;
        EpollKeepRegistered.urgentEventHandled();
        return true;
    }

    /**
     * Counts, dumps and writes (without flushing) {@code buf} to the peer, its first byte as urgent data if
     * {@code urgentFirst}; drops it if the peer is gone.
     */
    final void forward(Channel self, ByteBuf buf, boolean urgentFirst) {
        if (held != null) {
            held.add(urgentFirst ? new UrgentFirst(buf) : buf);
            return;
        }
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
        if (trace != null) {
            if (towardsServer()) {
                trace.sent += n;
            } else {
                trace.received += n;
            }
        }
        PacketDump dump = settings.packetDump();
        if (!urgentFirst) {
            if (dump != null) {
                dump.print(towardsServer(), buf);
            }
            to.write(buf, to.voidPromise());
            return;
        }
        byte b = buf.readByte();
        if (dump != null) {
            dump.printUrgent(towardsServer(), b);
            if (buf.isReadable()) {
                dump.print(towardsServer(), buf);
            }
        }
        urgentRest = buf;
        held = new ArrayDeque<>(2);
        self.config().setAutoRead(false);
        sendUrgent(self, to, b);
    }

    /** Sends {@code b} as urgent data once everything before it has gone out, then what waited for it. */
    private void sendUrgent(Channel self, Channel to, byte b) {
        whenFlushed(to, () -> {
            boolean sent;
            try {
                sent = urgent.send(to, b);
            } catch (IOException e) {
                if (settings.log().isDebug()) {
                    settings.log().debug("sending urgent data: " + e.getMessage());
                }
                peerFailed(self, to);
                return;
            }
            if (sent) {
                releaseHeld(self, to);
            } else {
                // The socket buffer is full: Netty has no write for urgent data to wait on, so try again shortly.
                to.eventLoop().schedule(() -> {
                    if (to.isActive()) {
                        sendUrgent(self, to, b);
                    }
                }, 1, TimeUnit.MILLISECONDS);
            }
        }, () -> peerFailed(self, to));
    }

    /** The urgent byte is out: what waited for it follows, and this side reads again. */
    private void releaseHeld(Channel self, Channel to) {
        ByteBuf rest = urgentRest;
        ArrayDeque<Object> queue = held;
        urgentRest = null;
        held = null;
        if (rest.isReadable()) {
            to.write(rest, to.voidPromise());
        } else {
            rest.release();
        }
        for (Object item; (item = queue.poll()) != null; ) {
            if (item instanceof UrgentFirst u) {
                forward(self, u.buf(), true);
            } else {
                forward(self, (ByteBuf) item, false);
            }
        }
        to.flush();
        if (held != null) {
            return;
        }
        if (endHeld) {
            endHeld = false;
            inputEnded(self);
        } else if (to.isWritable()) {
            startReading(self);
        }
    }

    /** Releases a buffer that was kept back: a ByteBuf or an {@link UrgentFirst}. */
    static void release(Object item) {
        ReferenceCountUtil.release(item instanceof UrgentFirst u ? u.buf() : item);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel to = peer;
        if (to != null) {
            to.flush();
        }
    }

    /**
     * This side's pending output crossed a watermark: the peer, which writes into it, stops or resumes reading.
     * (Stopping ends the peer's batch of reads, whose channelReadComplete flushes this side.)
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel from = peer;
        if (from != null) {
            if (ctx.channel().isWritable()) {
                startReading(from);
            } else {
                from.config().setAutoRead(false);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Lets {@code ch} read on its own from now on, unless its input has ended (or it is gone). */
    static void startReading(Channel ch) {
        if (canRead(ch)) {
            ch.config().setAutoRead(true);
        }
    }

    private static boolean canRead(Channel ch) {
        return ch.isActive() && !((DuplexChannel) ch).isInputShutdown();
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
        if (held != null) {
            endHeld = true;
            return;
        }
        PacketDump dump = settings.packetDump();
        if (dump != null) {
            dump.printEnd(towardsServer());
        }
        Channel to = peer;
        if (to == null || !to.isActive()) {
            self.close();
            return;
        }
        if (((DuplexChannel) to).isInputShutdown()) {
            // The other direction has ended already (its FIN may still be on its way to us): the session is over.
            closeOnFlush(to);
            closeOnFlush(self);
            return;
        }
        whenFlushed(to, () -> ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) shut -> {
            if (!shut.isSuccess()) {
                peerFailed(self, to);
            } else if (settings.packetDump() == null) {
                // Nothing more goes to the peer: when its input ends, the session is over, and Netty may close
                // it at once instead of shutting its input down first. (Not with -p, which prints that end.)
                ((SocketChannelConfig) to.config()).setAllowHalfClosure(false);
            }
        }), () -> peerFailed(self, to));
    }

    /**
     * Runs {@code then} once everything written to {@code ch} so far has gone out (at once if nothing is
     * pending), or {@code failed} if that fails.
     */
    private static void whenFlushed(Channel ch, Runnable then, Runnable failed) {
        if (nothingPending(ch)) {
            then.run();
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                then.run();
            } else {
                failed.run();
            }
        });
    }

    /** Nothing written to {@code ch} waits to go out: no flushed message left, and no bytes written but not flushed. */
    private static boolean nothingPending(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null || out.isEmpty() && out.totalPendingWriteBytes() == 0;
    }

    /**
     * Passing the end on to {@code to} failed: it is gone. {@code self} may still have the other direction's
     * data to deliver, so it is closed only after that is flushed.
     */
    private static void peerFailed(Channel self, Channel to) {
        to.close();
        closeOnFlush(self);
    }

    /** Notes how the session ends, unless something ended it before. */
    final void ending(SessionRecord.End why) {
        if (trace != null) {
            trace.end(why);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            urgentRest.release();
            held.forEach(RelayHandler::release);
            urgentRest = null;
            held = null;
        }
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (settings.log().isDebug()) {
            settings.log().debug((towardsServer() ? "client" : "server") + " side error: " + cause);
        }
        ending(SessionRecord.End.RESET);
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
        if (ch == null) {
            return;
        }
        if (!ch.isActive() || nothingPending(ch)) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
