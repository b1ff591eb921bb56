package org.balance.health;

/**
 * The checks' verdict on one channel, from results in a row: a healthy channel is judged unhealthy after
 * {@code fall} failures in a row, an unhealthy one healthy after {@code rise} passes in a row; a result that
 * agrees with the verdict starts the count again. A channel starts healthy (at start, after the operator's
 * {@code enable}, after {@code monitor enable}), so one slow first check of a cold process takes nothing out.
 * Pure; used by one thread at a time.
 */
final class HealthState {
    private final int rise;
    private final int fall;
    private boolean healthy = true;
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
            return false;
        }
        streak++;
        if (streak < (healthy ? fall : rise)) {
            return false;
        }
        healthy = passed;
        decidedBy = streak;
        streak = 0;
        return true;
    }

    /** Starts over: healthy, or unhealthy until {@code rise} passes in a row (a channel taken out by autodisable). */
    void restart(boolean healthy) {
        this.healthy = healthy;
        this.streak = 0;
    }
}
