package org.balance.policy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.balance.balancing.ClientAddress;

/**
 * {@code --source-limit}: how many sessions each client source has open, a source being an IPv4 address or an IPv6
 * /64 (one host usually owns a whole /64). Shared by the event loops (a concurrent map of counters), owned by the
 * instance so that a reload changing the limit keeps counting the sessions in progress. A source's entry goes when
 * its last session ends, so the table holds only sources with sessions open.
 */
public final class SourceLimits {
    private final ConcurrentHashMap<Source, AtomicInteger> open = new ConcurrentHashMap<>();

    /** A source: the 4 bytes of an IPv4 address, or the first 8 of an IPv6 one, as a number. */
    record Source(boolean v6, long bits) {
        static Source of(byte[] address) {
            byte[] a = ClientAddress.fold(address);
            long bits = 0;
            int n = Math.min(a.length, 8);
            for (int i = 0; i < n; i++) {
                bits = bits << 8 | (a[i] & 0xff);
            }
            return new Source(a.length == 16, bits);
        }
    }

    /** One session's place in its source's count: given back once, by {@link #release()}. */
    public final class Slot {
        private final Source source;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Source source) {
            this.source = source;
        }

        /** Gives the place back; only the first call counts. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(source, (s, count) -> count.decrementAndGet() == 0 ? null : count);
            }
        }
    }

    /**
     * Takes a place for a session from {@code address} (plain bytes) if its source has fewer than {@code limit} open;
     * null if it has that many already.
     */
    public Slot acquire(byte[] address, int limit) {
        Source source = Source.of(address);
        boolean[] taken = new boolean[1];
        open.compute(source, (s, count) -> {
            if (count == null) {
                taken[0] = true;
                return new AtomicInteger(1);
            }
            if (count.get() < limit) {
                taken[0] = true;
                count.incrementAndGet();
            }
            return count;
        });
        return taken[0] ? new Slot(source) : null;
    }

    /** Sessions open from the source of {@code address}. */
    public int open(byte[] address) {
        AtomicInteger count = open.get(Source.of(address));
        return count == null ? 0 : count.get();
    }

    /** Sources with at least one session open. */
    public int sources() {
        return open.size();
    }
}
