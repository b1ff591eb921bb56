package org.balance.balancing;

/**
 * The outcome of choosing a channel for a client: picked (with a connection slot already reserved),
 * or why nothing was: every usable channel is full, or none is enabled.
 */
public record Selection(Outcome outcome, int group, int channel, Destination destination) {

    public enum Outcome { PICKED, ALL_FULL, NONE_ENABLED }

    static Selection picked(int group, int channel, Destination destination) {
        return new Selection(Outcome.PICKED, group, channel, destination);
    }

    static Selection unavailable(boolean sawFull) {
        return new Selection(sawFull ? Outcome.ALL_FULL : Outcome.NONE_ENABLED, -1, -1, null);
    }

    public boolean isPicked() {
        return outcome == Outcome.PICKED;
    }

    @Override
    public String toString() {
        return isPicked() ? "group " + group + " channel " + channel + " (" + destination + ")" : outcome.toString();
    }
}
