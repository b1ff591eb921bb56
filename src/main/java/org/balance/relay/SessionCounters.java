package org.balance.relay;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The instance's own sessions, beside the channels' counters: clients accepted, clients closed because no channel
 * was available, sessions in progress, and the client connections of those sessions, so that a stop whose drain
 * time is up can close them ({@link #closeAll()}). Striped counters and a concurrent set, added to by the event
 * loops.
 */
public final class SessionCounters {
    /** Fired through a session's client pipeline to end it now, after flushing what either side had read. */
    static final Object CLOSE_NOW = new Object() {
        @Override
        public String toString() {
            return "CLOSE_NOW";
        }
    };

    private final LongAdder accepted = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder headerRejected = new LongAdder();
    private final LongAdder inProgress = new LongAdder();
    private final LongAdder refusedLimit = new LongAdder();
    private final LongAdder refusedList = new LongAdder();
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    void opened(Channel client) {
        accepted.increment();
        inProgress.increment();
        open.add(client);
    }

    void closed(Channel client) {
        inProgress.decrement();
        open.remove(client);
    }

    void nothingAvailable() {
        unavailable.increment();
    }

    void refuse(Admission.Refusal why) {
        (why == Admission.Refusal.LIMIT ? refusedLimit : refusedList).increment();
    }

    /** Clients closed before any channel was chosen: over {@code --source-limit}, or by {@code --allow} / {@code --deny}. */
    public long refused(Admission.Refusal why) {
        return (why == Admission.Refusal.LIMIT ? refusedLimit : refusedList).sum();
    }

    /** A client was closed before any channel was chosen: its PROXY header ({@code --accept-proxy}) was missing or invalid. */
    public void headerRejected() {
        headerRejected.increment();
    }

    /** Clients closed because their PROXY header was missing, late or invalid ({@code --accept-proxy}). */
    public long headerRejectedCount() {
        return headerRejected.sum();
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

    /**
     * Ends every session in progress: each side is closed once what was read from the other has been written to
     * it. Returns how many sessions were told to close.
     */
    public int closeAll() {
        int n = 0;
        for (Channel client : open) {
            client.pipeline().fireUserEventTriggered(CLOSE_NOW);
            n++;
        }
        return n;
    }
}
