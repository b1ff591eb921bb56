package org.balance.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's own messages, routed to the instance's {@link Log}: warnings and errors as errors, information as
 * notices, Netty's debug and trace chatter dropped. So they reach syslog in the background (through the JDK's
 * logging, Netty's default, they went to stderr, which is /dev/null there), as one line each, prefixed
 * {@code netty:}. Installing it also spares the start-up Netty's search for a logging framework and the JDK
 * logging set-up (~20 ms of CPU).
 *
 * <p>{@link #install()} must run before any Netty class asks for its logger, that is first thing in main.
 * Until {@link #routeTo} names the instance's log, messages wait.
 */
public final class NettyLog extends InternalLoggerFactory {
    /** Lines logged before the instance's log exists (Netty starts with the syslog socket), at most 64. */
    private static final List<Line> pending = new ArrayList<>();
    private static Log target;

    private record Line(boolean error, String text) {
        void writeTo(Log log) {
            if (error) {
                log.error(text);
            } else {
                log.notice(text);
            }
        }
    }

    NettyLog() {
    }

    public static void install() {
        InternalLoggerFactory.setDefaultFactory(new NettyLog());
    }

    /** From now on Netty's messages go to {@code log}, starting with those that came before. */
    public static synchronized void routeTo(Log log) {
        target = log;
        pending.forEach(line -> line.writeTo(log));
        pending.clear();
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Logger(name);
    }

    static synchronized void emit(boolean error, String format, Object... args) {
        Line line = new Line(error, "netty: " + format(format, args));
        if (target != null) {
            line.writeTo(target);
        } else if (pending.size() < 64) {
            pending.add(line);
        }
    }

    /** Netty's "{}" placeholders filled in order; a Throwable left over (the last argument) is appended. */
    static String format(String format, Object... args) {
        StringBuilder out = new StringBuilder(String.valueOf(format));
        int used = 0;
        for (int at = out.indexOf("{}"); at >= 0 && used < args.length; at = out.indexOf("{}", at)) {
            String value = String.valueOf(args[used++]);
            out.replace(at, at + 2, value);
            at += value.length();
        }
        if (used < args.length && args[args.length - 1] instanceof Throwable t) {
            out.append(": ").append(t);
        }
        return out.toString();
    }

    private static final class Logger extends AbstractInternalLogger {
        private static final Object[] NONE = {};

        Logger(String name) {
            super(name);
        }

        // trace and debug: off (Netty logs its configuration at debug, dozens of lines per start)
        @Override public boolean isTraceEnabled() { return false; }
        @Override public void trace(String msg) { }
        @Override public void trace(String format, Object arg) { }
        @Override public void trace(String format, Object argA, Object argB) { }
        @Override public void trace(String format, Object... arguments) { }
        @Override public void trace(String msg, Throwable t) { }
        @Override public boolean isDebugEnabled() { return false; }
        @Override public void debug(String msg) { }
        @Override public void debug(String format, Object arg) { }
        @Override public void debug(String format, Object argA, Object argB) { }
        @Override public void debug(String format, Object... arguments) { }
        @Override public void debug(String msg, Throwable t) { }

        @Override public boolean isInfoEnabled() { return true; }
        @Override public void info(String msg) { emit(false, msg, NONE); }
        @Override public void info(String format, Object arg) { emit(false, format, arg); }
        @Override public void info(String format, Object argA, Object argB) { emit(false, format, argA, argB); }
        @Override public void info(String format, Object... arguments) { emit(false, format, arguments); }
        @Override public void info(String msg, Throwable t) { emit(false, msg, t); }

        @Override public boolean isWarnEnabled() { return true; }
        @Override public void warn(String msg) { emit(true, msg, NONE); }
        @Override public void warn(String format, Object arg) { emit(true, format, arg); }
        @Override public void warn(String format, Object argA, Object argB) { emit(true, format, argA, argB); }
        @Override public void warn(String format, Object... arguments) { emit(true, format, arguments); }
        @Override public void warn(String msg, Throwable t) { emit(true, msg, t); }

        @Override public boolean isErrorEnabled() { return true; }
        @Override public void error(String msg) { emit(true, msg, NONE); }
        @Override public void error(String format, Object arg) { emit(true, format, arg); }
        @Override public void error(String format, Object argA, Object argB) { emit(true, format, argA, argB); }
        @Override public void error(String format, Object... arguments) { emit(true, format, arguments); }
        @Override public void error(String msg, Throwable t) { emit(true, msg, t); }
    }
}
