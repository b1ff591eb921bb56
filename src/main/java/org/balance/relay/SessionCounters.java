package org.balance.relay;

import java.util.concurrent.atomic.LongAdder;

/**
 * The instance's own session counts, beside the channels' counters: clients accepted, clients closed because
 * no channel was available, and sessions in progress. Striped counters, added to by the event loops.
 */
public final class SessionCounters {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder inProgress = new LongAdder();

    void opened() {
        accepted.increment();
        inProgress.increment();
    }

    void closed() {
        inProgress.decrement();
    }

    void nothingAvailable() {
        unavailable.increment();
    }

    /** Clients accepted since the start. */
    public long accepted() {
        return accepted.sum();
    }

    /** Clients closed at once because no channel was available (all disabled, down, full or failing). */
    public long unavailable() {
        return unavailable.sum();
    }

    /** Accepted clients whose connection is still open. */
    public long inProgress() {
        return inProgress.sum();
    }
}
