package org.balance.health;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.log.Log;

/**
 * Checks one channel, over and over, on one event loop: at most one check in flight; a check starts one
 * interval after the previous one was due to start (so the phase given at start stays, without drift), or at
 * once when the previous one took longer than that; each result feeds the rise/fall verdict, and a change of
 * the verdict pulls the channel's soft switch, unless the operator has disabled the channel (then the checks
 * only watch). Everything but the counters read by {@code monitor show} is confined to the loop.
 */
final class ChannelMonitor {
    final int group;
    final int channel;
    final Destination destination;
    final CheckPlan plan;
    private final EventLoop loop;
    private final Checker checker;
    private final HealthMonitor owner;
    private final Log log;
    private final HealthState state;

    private boolean running;
    private boolean inFlight;
    private int epoch;
    /** When the check in flight, or the next one, was due to start. */
    private long dueNanos;
    private ScheduledFuture<?> timer;
    /** This monitor took the channel out (as opposed to autodisable). */
    private boolean downByChecks;

    private volatile long passed;
    private volatile long failed;
    private volatile CheckResult last;
    private volatile boolean healthy = true;
    private volatile boolean paused = true;

    ChannelMonitor(int group, int channel, Destination destination, CheckPlan plan, EventLoop loop, Checker checker,
                   HealthMonitor owner, Log log) {
        this.group = group;
        this.channel = channel;
        this.destination = destination;
        this.plan = plan;
        this.loop = loop;
        this.checker = checker;
        this.owner = owner;
        this.log = log;
        this.state = new HealthState(plan.rise(), plan.fall());
    }

    /** Starts checking, the first check after {@code delayNanos}; from any thread. */
    void start(long delayNanos) {
        loop.execute(() -> {
            restart();
            running = true;
            paused = false;
            dueNanos = System.nanoTime() + delayNanos;
            schedule(delayNanos);
        });
    }

    /**
     * Stops checking ({@code monitor disable}, shutdown); a check in flight is finished and ignored. With
     * {@code release}, a channel these checks took out comes back: with nobody checking, nothing says it is down.
     */
    void stop(boolean release) {
        loop.execute(() -> {
            running = false;
            paused = true;
            epoch++;
            if (timer != null) {
                timer.cancel(false);
            }
            if (release && downByChecks && destination.isDown() && destination.markUp()) {
                downByChecks = false;
                owner.changed(destination);
                log.notice(name() + " enabled: monitoring disabled, nothing checks it");
            }
        });
    }

    /**
     * Starts the verdict over from what the channel is now: one in service is healthy until {@code fall}
     * failures in a row; one that is out (autodisabled) needs {@code rise} passes. For the operator's
     * {@code enable}, {@code assign}, {@code monitor enable} and autodisable; results of checks in flight are
     * ignored.
     */
    void restartLater() {
        loop.execute(this::restart);
    }

    private void restart() {
        epoch++;
        state.restart(!destination.isDown());
        healthy = state.healthy();
        if (!destination.isDown()) {
            downByChecks = false;
        }
    }

    /** The next check; one timer at most, so that a restart while a check is in flight never doubles the checks. */
    private void schedule(long delayNanos) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = loop.schedule(this::fire, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        if (!running || inFlight) {
            return; // a check in flight schedules the next when it completes
        }
        inFlight = true;
        int startedIn = epoch;
        Endpoint endpoint = destination.endpoint();
        checker.run(loop, endpoint, plan, result -> completed(startedIn, endpoint, result));
    }

    private void completed(int startedIn, Endpoint endpoint, CheckResult result) {
        inFlight = false;
        if (!running) {
            return;
        }
        if (startedIn == epoch && endpoint == destination.endpoint()) {
            judge(result);
        }
        long now = System.nanoTime();
        dueNanos = Math.max(dueNanos + TimeUnit.MILLISECONDS.toNanos(plan.intervalMillis()), now);
        schedule(dueNanos - now);
    }

    private void judge(CheckResult result) {
        last = result;
        if (log.isDebug()) {
            log.debug("check " + name() + ": " + result);
        }
        if (result.outcome() == CheckResult.Outcome.ERROR) {
            return;
        }
        if (result.passed()) {
            passed++;
        } else {
            failed++;
        }
        boolean changed = state.record(result.passed());
        healthy = state.healthy();
        if (!changed || !destination.isEnabled()) {
            return; // the operator's disable wins: the checks only watch
        }
        if (!healthy && plan.mayDisable() && destination.markDown()) {
            downByChecks = true;
            owner.changed(destination);
            log.notice(name() + " disabled by its checks: " + result.reason() + ", " + inARow(state.decidedBy(), "failure"));
        } else if (healthy && plan.mayEnable() && destination.isDown() && destination.markUp()) {
            downByChecks = false;
            owner.changed(destination);
            log.notice(name() + " enabled by its checks: " + inARow(state.decidedBy(), "pass"));
        }
    }

    private static String inARow(int n, String what) {
        return n == 1 ? "1 " + what : n + " " + what + (what.endsWith("s") ? "es" : "s") + " in a row";
    }

    String name() {
        return "group " + group + " channel " + channel + " (" + destination.endpoint() + ")";
    }

    /** The checks' verdict, for {@code monitor show}: up, down, or paused while monitoring is disabled. */
    String verdict() {
        return paused ? "paused" : healthy ? "up" : "down";
    }

    long passed() {
        return passed;
    }

    long failed() {
        return failed;
    }

    CheckResult last() {
        return last;
    }
}
