package org.balance.balancing;

/**
 * Least connections groups: a new session goes to the available channel with the fewest sessions in progress per
 * unit of weight (nginx's {@code least_conn}, HAProxy's {@code leastconn}). Ties go round: the search starts at the
 * group's cursor, which moves past each chosen channel, so that short sessions that end before the next one starts
 * do not all land on channel 0. Failover (a full channel, a failed connect) takes the next best.
 *
 * <p>Reads the live session counts of the channels: no state of its own, no lock, no allocation. Two selections at
 * the same instant may both pick the same channel; the next ones see it.
 */
final class LeastConnections implements Algorithm {
    static final LeastConnections INSTANCE = new LeastConnections();

    private LeastConnections() {
    }

    @Override
    public int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress) {
        Destination[] members = layout.members;
        int[] weights = layout.weights;
        int n = members.length;
        int best = -1;
        long bestSessions = 0;
        int bestWeight = 1;
        for (int k = 0; k < n; k++) {
            int i = cursor + k < n ? cursor + k : cursor + k - n;
            int w = weights[i];
            if (w == 0 || (tried & (1L << i)) != 0 || !members[i].isAvailable()) {
                continue;
            }
            long sessions = members[i].currentConnections();
            // sessions / w < bestSessions / bestWeight, without division
            if (best < 0 || sessions * bestWeight < bestSessions * w) {
                best = i;
                bestSessions = sessions;
                bestWeight = w;
            }
        }
        return best;
    }
}
