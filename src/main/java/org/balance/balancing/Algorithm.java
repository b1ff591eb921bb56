package org.balance.balancing;

/**
 * A balancing algorithm: the order in which a group's channels are considered for one client.
 * Pure: no I/O and no state of its own; availability and limits are checked by {@link Balancer}.
 */
interface Algorithm {

    /**
     * The {@code attempt}-th channel index to consider (attempt counts from 0), or -1 when the algorithm
     * offers no further channel.
     *
     * @param channelCount  channels in the group, at least 1
     * @param cursor        the group's round-robin cursor, in [0, channelCount)
     * @param clientAddress the client's address bytes, IPv4-mapped IPv6 already folded to 4 bytes
     */
    int candidate(int attempt, int channelCount, int cursor, byte[] clientAddress);
}
