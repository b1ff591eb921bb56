package org.balance.balancing;

/** Compile-time limits, the same as the original balance 3.57 so that scripts reading {@code version} agree. */
public final class Limits {
    /** Number of channel groups; groups are numbered 0 to MAX_GROUPS - 1. */
    public static final int MAX_GROUPS = 32;
    /** Number of channels one group can hold. */
    public static final int MAX_CHANNELS = 64;
    /** Largest channel weight ({@code host:port:maxc:weight}, {@code weight}). */
    public static final int MAX_WEIGHT = 1000;

    private Limits() {
    }
}
