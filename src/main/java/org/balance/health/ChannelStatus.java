package org.balance.health;

import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;

/**
 * One row of {@code monitor show}.
 *
 * @param check            the checks' verdict: {@code up}, {@code down}, {@code paused} (monitoring disabled),
 *                         or {@code none} (this channel is not checked)
 * @param lastResult       the last check's result, or null if none yet
 * @param lastChangeMillis when the channel's state last changed (wall clock), or when the instance started
 */
public record ChannelStatus(int group, int channel, Endpoint endpoint, Destination.Status status, String check,
                            long passed, long failed, CheckResult lastResult, long lastChangeMillis, CheckPlan plan) {
}
