package org.balance.balancing;

/**
 * A balancing algorithm: the order in which a group's channels are considered for one client.
 * Pure: no I/O; whatever it keeps (a lookup table, current weights) belongs to the group's {@link Layout}.
 * Whether a proposed channel is taken (enabled, below its maxc, not to be avoided) is decided by {@link Balancer}.
 */
interface Algorithm {

    /**
     * The {@code attempt}-th channel index to consider (attempt counts from 0), or -1 when the algorithm
     * offers no further channel.
     *
     * @param layout        the group's channels and weights, at least one channel
     * @param cursor        the group's round-robin cursor, in [0, channels)
     * @param tried         channels already proposed in this selection, and those to avoid (bit i: channel i)
     * @param clientAddress the client's address bytes, IPv4-mapped IPv6 already folded to 4 bytes
     */
    int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress);
}
