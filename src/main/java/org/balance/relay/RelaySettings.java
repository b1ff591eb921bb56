package org.balance.relay;

import java.net.InetAddress;
import org.balance.balancing.Balancer;
import org.balance.health.Autodisable;
import org.balance.log.Log;

/**
 * What every session needs to know, fixed at start-up.
 *
 * @param sourceAddress      -B: local address of outgoing connections, or null
 * @param packetDump         -p: where chunks are printed, or null when off
 * @param idleTimeoutSeconds -T: 0 for never
 * @param autodisable        -a: what a failed connect does to its channel, or null when off
 * @param sessions           the instance's session counts
 * @param policy             what decides or decorates sessions before the relay ({@link SessionPolicy#NONE}: nothing)
 * @param admission          who may start a session once its origin is known ({@link Admission#ALL}: everyone)
 * @param sessionLog         where ended sessions are written ({@code --log-sessions}), or null when off
 */
public record RelaySettings(
        Balancer balancer,
        Log log,
        int connectTimeoutMillis,
        int idleTimeoutSeconds,
        InetAddress sourceAddress,
        Autodisable autodisable,
        PacketDump packetDump,
        SessionCounters sessions,
        SessionPolicy policy,
        Admission admission,
        SessionSink sessionLog) {
}
