package org.balance.policy;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Keeps refusals from flooding the log: at most one line per source per interval. The first refusal of a source
 * gets a line; those within the interval after it are only counted, and the next line (the first refusal after the
 * interval) says how many there were. Thread-safe; the clock is the caller's (milliseconds), so tests need no sleep.
 */
public final class RefusalLog {
    /** How long a source's refusals share one line, unless told otherwise. */
    public static final long INTERVAL_MILLIS = 10_000;
    /** Sources remembered at most; past that, those whose interval is over are forgotten first. */
    private static final int MAX_SOURCES = 10_000;

    private final long intervalMillis;
    private final Map<String, long[]> sources = new HashMap<>();

    public RefusalLog(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /**
     * A client of {@code source} was refused, for {@code why}, at {@code nowMillis}: the line to log, or null when
     * the source had its line within the interval.
     */
    public synchronized String refused(String source, String why, long nowMillis) {
        long[] state = sources.get(source); // {time of the last line, refusals since}
        if (state != null && nowMillis - state[0] < intervalMillis) {
            state[1]++;
            return null;
        }
        long suppressed = state == null ? 0 : state[1];
        if (state == null) {
            if (sources.size() >= MAX_SOURCES) {
                forgetOld(nowMillis);
            }
            state = new long[2];
            sources.put(source, state);
        }
        state[0] = nowMillis;
        state[1] = 0;
        return "refused client " + source + ": " + why
                + (suppressed > 0 ? " (" + suppressed + " more refused since the last line)" : "");
    }

    private void forgetOld(long nowMillis) {
        for (Iterator<long[]> it = sources.values().iterator(); it.hasNext(); ) {
            long[] s = it.next();
            if (nowMillis - s[0] >= intervalMillis) {
                it.remove();
            }
        }
        if (sources.size() >= MAX_SOURCES) {
            sources.clear(); // a flood from more sources than that: start over rather than grow
        }
    }
}
