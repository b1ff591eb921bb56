package org.balance.balancing;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a channel's connects did: failures by reason, and the time successful ones took, in the buckets of a
 * histogram. Written by the relay's event loops (one striped counter add per connect), read by the statistics.
 */
public final class ConnectStats {
    /** Why a connect failed. */
    public enum Failure { REFUSED, TIMEOUT, OTHER }

    /** Upper bounds of the histogram's buckets in seconds: loopback answers in tens of microseconds, a far server in tens of milliseconds. */
    public static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private final LongAdder[] failures = adders(Failure.values().length);
    /** Per bucket, not cumulative: the last one counts connects slower than the last bound. */
    private final LongAdder[] buckets = adders(BOUNDS.length + 1);
    private final LongAdder nanos = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void failed(Failure why) {
        failures[why.ordinal()].increment();
    }

    /** A connect that succeeded after {@code elapsedNanos}. */
    public void connected(long elapsedNanos) {
        int i = 0;
        while (i < BOUND_NANOS.length && elapsedNanos > BOUND_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        nanos.add(elapsedNanos);
    }

    public long failures(Failure why) {
        return failures[why.ordinal()].sum();
    }

    /** Connects per bucket (not cumulative), {@code BOUNDS.length + 1} of them, the last for slower than every bound. */
    public long[] buckets() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** The time of all successful connects, in seconds. */
    public double seconds() {
        return nanos.sum() / 1e9;
    }
}
