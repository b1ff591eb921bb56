package org.balance.runtime;

import sun.misc.Signal;

/**
 * The signals a running balance answers, as the original and service managers expect:
 * <ul>
 *   <li>SIGTERM ({@code kill PID}, {@code systemctl stop}): a graceful stop; the port closes at once and the
 *       sessions in progress go on until they end (or {@code --drain-timeout}); a second SIGTERM ends it at once
 *       (one within 250 ms of the first counts as the same).</li>
 *   <li>SIGHUP: read the configuration again ({@code --config}); an instance started from a command line has none
 *       to read, says so and goes on.</li>
 *   <li>SIGUSR1: a restart is under way ({@code systemctl restart}): keep serving until a new instance takes the
 *       port over, then drain.</li>
 *   <li>SIGINT (Ctrl-C) keeps the JVM's default: the shutdown hook stops at once, as the original's whole
 *       process group died on it.</li>
 * </ul>
 * Installed before start-up, so that no signal finds the JVM's default (SIGHUP would end it with 129); a SIGTERM
 * that comes before the instance serves stops it as soon as it does. Handlers run on a thread the JVM starts for
 * each signal.
 */
public final class Signals {
    /**
     * A SIGTERM this soon after the first is the same stop arriving twice (a service manager that signals the whole
     * control group while balance-service passes the signal on), not an operator asking to end the drain.
     */
    private static final long SAME_STOP_NANOS = 250_000_000L;

    private Running target;
    private int terms;
    private long firstTermNanos;

    private Signals() {
    }

    /** Installs the handlers; throws IllegalArgumentException if the JVM keeps one of the signals for itself. */
    public static Signals install() {
        Signals signals = new Signals();
        Signal.handle(new Signal("TERM"), s -> signals.terminate());
        Signal.handle(new Signal("HUP"), s -> {
            Running r = signals.target();
            if (r != null) {
                r.reload();
            }
        });
        Signal.handle(new Signal("USR1"), s -> {
            Running r = signals.target();
            if (r != null) {
                r.restarting();
            }
        });
        return signals;
    }

    /** From now on the signals act on {@code running}; a SIGTERM that came before starts its drain now. */
    public void deliverTo(Running running) {
        int pending;
        synchronized (this) {
            target = running;
            pending = terms;
        }
        if (pending > 0) {
            running.drain(null);
        }
        if (pending > 1) {
            running.cutDrainShort();
        }
    }

    private synchronized Running target() {
        return target;
    }

    private void terminate() {
        Running r;
        int count;
        synchronized (this) {
            long now = System.nanoTime();
            if (terms == 0) {
                firstTermNanos = now;
            } else if (now - firstTermNanos < SAME_STOP_NANOS) {
                return;
            }
            r = target;
            count = ++terms;
        }
        if (r == null) {
            return;
        }
        if (count == 1) {
            r.drain(null);
        } else {
            r.notice("SIGTERM again: closing the sessions still open");
            r.cutDrainShort();
        }
    }
}
