package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.GroupType;
import org.balance.balancing.Routing;
import org.balance.cli.ProxyConfig;
import org.junit.jupiter.api.Test;

/** The one path of start-up and reload applies weights and group types in place; channels that stay keep counters. */
class ApplyGroupsTest {

    private static ProxyConfig.ChannelConfig channel(int i, int weight) throws Exception {
        return new ProxyConfig.ChannelConfig(Endpoint.of("10.3.0." + i, InetAddress.getByAddress(new byte[] {10, 3, 0, (byte) i}), 80),
                0, weight);
    }

    @Test
    void aReloadChangesWeightsAndTypeInPlace() throws Exception {
        Routing routing = new Routing();
        ProxyRuntime.applyGroups(routing, List.of(new ProxyConfig.GroupConfig(GroupType.ROUND_ROBIN,
                List.of(channel(1, 1), channel(2, 3)))));
        Destination stays = routing.group(0).channel(1);
        assertEquals(3, stays.weight());
        stays.addSent(42);

        ProxyRuntime.applyGroups(routing, List.of(new ProxyConfig.GroupConfig(GroupType.LEAST_CONNECTIONS,
                List.of(channel(2, 7), channel(3, 0)))));
        assertSame(stays, routing.group(0).channel(0), "the channel that stays is the same object");
        assertEquals(42, stays.bytesSent(), "and keeps its counters");
        assertEquals(7, stays.weight());
        assertEquals(0, routing.group(0).channel(1).weight());
        assertEquals(GroupType.LEAST_CONNECTIONS, routing.group(0).type());
    }
}
