package org.balance.balancing;

/** Round robin: start at the group's cursor and go round the group once. */
final class RoundRobin implements Algorithm {
    static final RoundRobin INSTANCE = new RoundRobin();

    private RoundRobin() {
    }

    @Override
    public int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress) {
        int channelCount = layout.size();
        return attempt < channelCount ? (cursor + attempt) % channelCount : -1;
    }
}
