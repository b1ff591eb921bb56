package org.balance.health;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks of one channel, everything resolved: the actions with their timeouts, how often, and how many
 * results in a row change the channel's state.
 *
 * @param mayEnable  checks may bring back a soft-disabled channel (not with {@code noenable})
 * @param mayDisable checks may take a channel out (not with {@code nodisable})
 */
public record CheckPlan(List<CheckAction> actions, long intervalMillis, int rise, int fall, boolean mayEnable,
                        boolean mayDisable) {

    public CheckPlan {
        actions = List.copyOf(actions);
        if (actions.isEmpty() || actions.stream().anyMatch(a -> a.timeoutMillis() == null)) {
            throw new IllegalArgumentException("a plan needs actions with timeouts: " + actions);
        }
        if (intervalMillis <= 0 || rise < 1 || fall < 1) {
            throw new IllegalArgumentException("interval " + intervalMillis + " rise " + rise + " fall " + fall);
        }
    }

    /** The longest a whole check can take: every action's timeout. */
    public long timeoutMillis() {
        return actions.stream().mapToLong(CheckAction::timeoutMillis).sum();
    }

    @Override
    public String toString() {
        return actions.stream().map(a -> a + " timeout " + Millis.text(a.timeoutMillis())).collect(Collectors.joining(", then "))
                + "; every " + Millis.text(intervalMillis) + ", rise " + rise + ", fall " + fall
                + (mayEnable ? "" : ", noenable") + (mayDisable ? "" : ", nodisable");
    }
}
