package org.balance.relay;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.balance.log.Log;

/**
 * Reports running out of a local resource (descriptors, mostly) once per episode instead of once per failed
 * accept or connect: one line when it starts, one when nothing has failed for a second.
 */
final class ResourceTrouble {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final Log log;
    private final AtomicBoolean active = new AtomicBoolean();
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long since;

    ResourceTrouble(Log log) {
        this.log = log;
    }

    /** A failure that is ours, not a server's: {@code what} names the operation and the reason. */
    void failed(EventExecutor executor, String what) {
        long now = System.nanoTime();
        lastFailure.set(now);
        failures.incrementAndGet();
        if (active.compareAndSet(false, true)) {
            since = now;
            log.error(what + "; pausing new connections until it works again");
            executor.schedule(() -> checkOver(executor), 1, TimeUnit.SECONDS);
        }
    }

    private void checkOver(EventExecutor executor) {
        long now = System.nanoTime();
        if (now - lastFailure.get() < QUIET_NANOS) {
            executor.schedule(() -> checkOver(executor), 1, TimeUnit.SECONDS);
            return;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(lastFailure.get() - since);
        log.notice("working again: " + failures.getAndSet(0) + " accepts or connects failed over " + ms + " ms");
        active.set(false);
    }
}
