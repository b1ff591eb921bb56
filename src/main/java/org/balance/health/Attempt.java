package org.balance.health;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One action of a check under way: reports exactly once, on its event loop, and at the latest when its
 * timeout is up; whatever it holds (a socket, a process) is let go through {@code cleanup} when it reports.
 */
final class Attempt {
    private final EventLoop loop;
    private final Consumer<CheckResult> done;
    private final long started = System.nanoTime();
    private ScheduledFuture<?> deadline;
    private Runnable cleanup = () -> { };
    private boolean finished;

    Attempt(EventLoop loop, Consumer<CheckResult> done) {
        this.loop = loop;
        this.done = done;
    }

    EventLoop loop() {
        return loop;
    }

    /** Fails the attempt with the reason {@code why} gives when {@code millis} have passed; call on the loop. */
    void deadline(long millis, Supplier<String> why) {
        deadline = loop.schedule(() -> fail(why.get()), millis, TimeUnit.MILLISECONDS);
    }

    /** What to let go when the attempt reports; runs at once if it already has. Call on the loop. */
    void cleanup(Runnable r) {
        if (finished) {
            r.run();
        } else {
            cleanup = r;
        }
    }

    boolean finished() {
        return finished;
    }

    void pass() {
        finish(CheckResult.pass(elapsed()));
    }

    void fail(String reason) {
        finish(CheckResult.fail(reason, elapsed()));
    }

    void error(String reason) {
        finish(CheckResult.error(reason, elapsed()));
    }

    /** Reports from any thread: hands over to the loop. */
    void failLater(String reason) {
        loop.execute(() -> fail(reason));
    }

    void errorLater(String reason) {
        loop.execute(() -> error(reason));
    }

    private long elapsed() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    private void finish(CheckResult result) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> finish(result));
            return;
        }
        if (finished) {
            return;
        }
        finished = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        try {
            cleanup.run();
        } finally {
            done.accept(result);
        }
    }
}
