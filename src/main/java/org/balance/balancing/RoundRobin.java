package org.balance.balancing;

/** Round robin: start at the group's cursor and go round the group once. */
final class RoundRobin implements Algorithm {
    static final RoundRobin INSTANCE = new RoundRobin();

    private RoundRobin() {
    }

    @Override
    public int candidate(int attempt, int channelCount, int cursor, byte[] clientAddress) {
        return attempt < channelCount ? (cursor + attempt) % channelCount : -1;
    }
}
