package org.balance.balancing;

/**
 * Round robin groups whose channels have different weights: nginx's smooth weighted round robin
 * ({@code ngx_http_upstream_get_peer}). For each new session every available channel adds its weight to its
 * current weight, the one with the highest current weight is proposed and gives back the sum of the weights. A
 * channel of weight w then takes w sessions of every W (the sum), interleaved: weights 5, 1, 1 give
 * {@code a a b a c a a}, not {@code a a a a a b c}. Channels out of service, at their maxc or already tried take
 * no part, so their share goes to the others in proportion. With equal weights this is plain round robin, and
 * {@link RoundRobin} (the original's cursor) is used instead.
 *
 * <p>The current weights belong to the group's {@link Layout}: a new layout (channels or weights changed) starts
 * from zero. A proposal updates them under the layout's lock: a few dozen additions, no allocation.
 */
final class SmoothWeightedRoundRobin implements Algorithm {
    static final SmoothWeightedRoundRobin INSTANCE = new SmoothWeightedRoundRobin();

    private SmoothWeightedRoundRobin() {
    }

    @Override
    public int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress) {
        Destination[] members = layout.members;
        int[] weights = layout.weights;
        int[] current = layout.currentWeights;
        synchronized (current) {
            int best = -1;
            int total = 0;
            for (int i = 0; i < members.length; i++) {
                int w = weights[i];
                if (w == 0 || (tried & (1L << i)) != 0 || !members[i].isAvailable()) {
                    continue;
                }
                current[i] += w;
                total += w;
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best >= 0) {
                current[best] -= total;
            }
            return best;
        }
    }
}
