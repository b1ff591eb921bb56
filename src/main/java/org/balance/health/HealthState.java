package org.balance.health;

/**
 * The checks' verdict on one channel, from results in a row: a healthy channel is judged unhealthy after
 * {@code fall} failures in a row, an unhealthy one healthy after {@code rise} passes in a row. A verdict that no
 * result has confirmed yet (at start, after the operator's {@code enable}, after {@code monitor enable}) falls
 * at the first failure, as HAProxy does at start-up: a server that is down when checking begins is taken
 * out at once instead of after {@code fall} intervals. Pure; used by one thread at a time.
 */
final class HealthState {
    private final int rise;
    private final int fall;
    private boolean healthy = true;
    private boolean confirmed;
    private int streak;
    private int decidedBy;

    HealthState(int rise, int fall) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise " + rise + " fall " + fall);
        }
        this.rise = rise;
        this.fall = fall;
    }

    boolean healthy() {
        return healthy;
    }

    /** Results in a row that contradict the verdict. */
    int streak() {
        return streak;
    }

    /** How many results in a row made the last change of the verdict. */
    int decidedBy() {
        return decidedBy;
    }

    /** Counts one result; returns true if the verdict changed. */
    boolean record(boolean passed) {
        if (passed == healthy) {
            streak = 0;
            confirmed = true;
            return false;
        }
        streak++;
        int needed = healthy ? (confirmed ? fall : 1) : rise;
        confirmed = true;
        if (streak < needed) {
            return false;
        }
        healthy = passed;
        decidedBy = streak;
        streak = 0;
        return true;
    }

    /**
     * Starts over: healthy and not yet confirmed (the first failure decides), or unhealthy until {@code rise}
     * passes in a row (a channel taken out by autodisable).
     */
    void restart(boolean healthy) {
        this.healthy = healthy;
        this.confirmed = !healthy;
        this.streak = 0;
    }
}
