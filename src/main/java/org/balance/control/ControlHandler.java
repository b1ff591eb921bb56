package org.balance.control;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.balance.cli.ExitStatus;
import org.balance.cli.Usage;
import org.balance.control.CommandHandler.After;

/**
 * The shell on one control connection ({@link ControlProtocol}): reads the mode line, then runs commands and
 * writes their answers, the banner and the prompts, and ends the output with the end mark and exit status.
 *
 * <p>Runs on the control executor, never on an I/O thread, because commands may block (name lookups) and
 * {@code kill} waits for the instance to stop. Input is read only while nothing is waiting and the
 * connection is writable, so a client that sends much and reads nothing holds at most one read's worth of
 * lines and one answer here. A client that says nothing gets closed after the handshake time; an
 * interactive shell with no traffic either way after the idle time.
 */
final class ControlHandler extends ChannelInboundHandlerAdapter {
    /** Queued after the lines when the client ends its input (end-of-input line or shutdown). */
    private static final Object END_OF_INPUT = new Object();

    private enum State { AWAITING_MODE, SHELL, HANDING_OVER, ENDED }

    private final CommandTable table;
    private final ControlSession session;
    private final Shutdown shutdown;
    private final Handover handover;
    private final long handshakeMillis;
    private final Queue<Object> pending = new ArrayDeque<>();
    private State state = State.AWAITING_MODE;
    private ScheduledFuture<?> handshakeTimer;

    ControlHandler(CommandTable table, ControlSession session, Shutdown shutdown, Handover handover, long handshakeMillis) {
        this.table = table;
        this.session = session;
        this.shutdown = shutdown;
        this.handover = handover;
        this.handshakeMillis = handshakeMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state == State.AWAITING_MODE) {
                state = State.ENDED;
                ctx.close();
            }
        }, handshakeMillis, TimeUnit.MILLISECONDS);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            buf.release();
            return;
        }
        if (state != State.ENDED) {
            pending.add(ControlProtocol.END_OF_INPUT.equals(msg) ? END_OF_INPUT : msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        drain(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (state != State.ENDED) {
                pending.add(END_OF_INPUT);
                drain(ctx);
            }
        } else if (evt instanceof IdleStateEvent) {
            if (state == State.SHELL) {
                end(ctx, "\nno input for a long time, exiting.\n", ExitStatus.UNAVAILABLE);
            } else if (state == State.AWAITING_MODE) {
                state = State.ENDED;
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (state == State.HANDING_OVER) {
            handover.abandoned();
        }
        if (state != State.ENDED) {
            state = State.ENDED;
        }
        pending.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the client or a broken pipe: nothing to answer to
        state = State.ENDED;
        pending.clear();
        ctx.close();
    }

    /** Handles queued lines while the client keeps up; asks for more input when all are done. */
    private void drain(ChannelHandlerContext ctx) {
        while (state != State.ENDED && !pending.isEmpty() && ctx.channel().isWritable()) {
            handle(ctx, pending.poll());
        }
        if (state != State.ENDED && pending.isEmpty()) {
            ctx.read();
        }
    }

    private void handle(ChannelHandlerContext ctx, Object item) {
        if (state == State.HANDING_OVER) {
            handingOver(ctx, item);
            return;
        }
        if (item == END_OF_INPUT) {
            if (state == State.SHELL) {
                end(ctx, "\n", ExitStatus.OK);
            } else {
                state = State.ENDED;
                ctx.close();
            }
            return;
        }
        if (state == State.AWAITING_MODE) {
            handshakeTimer.cancel(false);
            mode(ctx, item);
            return;
        }
        if (item == LineDecoder.TOO_LONG) {
            ctx.writeAndFlush(text(ctx, "syntax error\n" + prompt()));
            return;
        }
        execute(ctx, (String) item, false);
    }

    private void mode(ChannelHandlerContext ctx, Object item) {
        if (item == LineDecoder.TOO_LONG) {
            // from our client, a -c command too long to be one; answered like any bad command
            end(ctx, "syntax error\n", ExitStatus.OK);
            return;
        }
        String line = (String) item;
        if (line.equals(ControlProtocol.SHELL)) {
            state = State.SHELL;
            ctx.writeAndFlush(text(ctx, "\nbalance " + Usage.VERSION + " interactive command shell\n"
                    + "PID of master process is " + session.pid() + "\n\n" + prompt()));
        } else if (line.equals(ControlProtocol.TAKEOVER)) {
            String refused = handover == null ? "this instance cannot hand its port over" : handover.give(ctx.channel());
            if (refused != null) {
                end(ctx, "takeover refused: " + refused + "\n", ExitStatus.UNAVAILABLE);
            } else {
                state = State.HANDING_OVER;
            }
        } else if (line.equals(ControlProtocol.COMMAND) || line.startsWith(ControlProtocol.COMMAND + " ")) {
            execute(ctx, line.substring(Math.min(line.length(), ControlProtocol.COMMAND.length() + 1)), true);
        } else {
            end(ctx, "syntax error\n", ExitStatus.USAGE);
        }
    }

    /** After the listening socket went to a new instance: its "taken", or the end of the connection. */
    private void handingOver(ChannelHandlerContext ctx, Object item) {
        state = State.ENDED;
        pending.clear();
        if (ControlProtocol.TAKEN.equals(item)) {
            handover.taken();
            ctx.close();
        } else {
            handover.abandoned();
            ctx.close();
        }
    }

    private void execute(ChannelHandlerContext ctx, String line, boolean once) {
        CommandTable.Result result = table.execute(line, session);
        switch (result.after()) {
            case CONTINUE -> {
                if (once) {
                    end(ctx, result.output(), ExitStatus.OK);
                } else {
                    ctx.writeAndFlush(text(ctx, result.output() + prompt()));
                }
            }
            case QUIT -> end(ctx, result.output(), ExitStatus.OK);
            case KILL -> kill(ctx, result.output());
        }
    }

    /**
     * Stops the instance; answers once its listener is closed and the control socket removed, before its
     * I/O threads, which carry this connection, go down.
     */
    private void kill(ChannelHandlerContext ctx, String output) {
        state = State.ENDED;
        pending.clear();
        if (!output.isEmpty()) {
            ctx.write(text(ctx, output));
        }
        shutdown.begin(ok -> {
            String answer = ok ? "shutdown complete, exiting.\n" : "shutdown failed.\n";
            ctx.writeAndFlush(text(ctx, answer + endMark(ok ? ExitStatus.OK : ExitStatus.UNAVAILABLE)))
                    .awaitUninterruptibly(2, TimeUnit.SECONDS);
            ctx.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        });
    }

    /** Writes the last output and the end mark with the exit status, then closes. */
    private void end(ChannelHandlerContext ctx, String output, int status) {
        state = State.ENDED;
        pending.clear();
        ctx.writeAndFlush(text(ctx, output + endMark(status))).addListener(ChannelFutureListener.CLOSE);
    }

    private String prompt() {
        return "balance[" + session.currentGroup() + "] ";
    }

    private static String endMark(int status) {
        return (char) ControlProtocol.END + Integer.toString(status);
    }

    private static ByteBuf text(ChannelHandlerContext ctx, String s) {
        ByteBuf buf = ctx.alloc().buffer(s.length());
        buf.writeCharSequence(s, ControlProtocol.CHARSET);
        return buf;
    }
}
