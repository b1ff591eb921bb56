package org.balance.relay;

import java.net.InetAddress;
import org.balance.balancing.Balancer;
import org.balance.log.Log;

/**
 * What every session needs to know, fixed at start-up.
 *
 * @param sourceAddress      -B: local address of outgoing connections, or null
 * @param packetDump         -p: where chunks are printed, or null when off
 * @param idleTimeoutSeconds -T: 0 for never
 */
public record RelaySettings(
        Balancer balancer,
        Log log,
        int connectTimeoutMillis,
        int idleTimeoutSeconds,
        InetAddress sourceAddress,
        boolean autodisable,
        PacketDump packetDump) {
}
