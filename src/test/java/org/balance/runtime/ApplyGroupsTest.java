package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.GroupType;
import org.balance.balancing.Routing;
import org.balance.cli.ProxyConfig.ChannelConfig;
import org.balance.cli.ProxyConfig.GroupConfig;
import org.junit.jupiter.api.Test;

/** The groups part of applying a configuration, at start-up and on reload ({@link ProxyRuntime#applyGroups}). */
class ApplyGroupsTest {

    private static ChannelConfig channel(int port, int maxc) {
        return new ChannelConfig(Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), port), maxc);
    }

    private static GroupConfig group(GroupType type, ChannelConfig... channels) {
        return new GroupConfig(type, List.of(channels));
    }

    @Test
    void channelsThatStayKeepTheirStateAndTakeTheirNewMaxcNewOnesAreEnabledRemovedOnesAreLeftOut() {
        Routing routing = new Routing();
        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN, channel(1, 0), channel(2, 0), channel(3, 0))));
        Destination one = routing.group(0).channel(0);
        Destination two = routing.group(0).channel(1);
        Destination three = routing.group(0).channel(2);
        two.disable();
        one.addSent(100);

        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.HASH, channel(2, 0), channel(1, 7), channel(4, 0))));

        assertEquals(GroupType.HASH, routing.group(0).type());
        assertEquals(3, routing.group(0).size());
        assertSame(two, routing.group(0).channel(0), "the same channel, in its new place");
        assertFalse(two.isEnabled(), "the operator's disable stays");
        assertSame(one, routing.group(0).channel(1));
        assertEquals(100, one.bytesSent(), "counters stay");
        assertEquals(7, one.maxConnections(), "the new maxc");
        Destination four = routing.group(0).channel(2);
        assertTrue(four.isEnabled() && four.isInService(), "a new channel serves at once");
        assertFalse(routing.allChannels().contains(three), "a removed channel takes no new session");
    }

    @Test
    void aChannelMovedToAnotherGroupIsANewChannelAndGroupsBeyondTheConfigurationAreEmptied() {
        Routing routing = new Routing();
        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN, channel(1, 0)),
                group(GroupType.HASH, channel(2, 0), channel(2, 0))));
        Destination first = routing.group(0).channel(0);
        Destination twinA = routing.group(1).channel(0);
        Destination twinB = routing.group(1).channel(1);
        assertNotSame(twinA, twinB);

        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN, channel(2, 0), channel(2, 0))));

        assertEquals(0, routing.group(1).size(), "group 1 is gone");
        assertEquals(GroupType.ROUND_ROBIN, routing.group(1).type());
        assertNotSame(twinA, routing.group(0).channel(0), "group 0's channel at that address is another channel");
        assertFalse(routing.allChannels().contains(first));
        assertEquals(2, routing.group(0).size(), "the same address twice stays twice");
    }

    @Test
    void theSameAddressTwiceInAGroupMatchesItsChannelsInOrder() {
        Routing routing = new Routing();
        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN, channel(5, 0), channel(5, 0))));
        Destination a = routing.group(0).channel(0);
        Destination b = routing.group(0).channel(1);
        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN, channel(5, 1), channel(5, 2), channel(5, 3))));
        assertSame(a, routing.group(0).channel(0));
        assertSame(b, routing.group(0).channel(1));
        assertEquals(List.of(1, 2, 3), routing.group(0).channels().stream().map(Destination::maxConnections).toList());
    }

    @Test
    void aReloadChangesWeightsAndTypeInPlace() throws Exception {
        Routing routing = new Routing();
        ChannelConfig one = new ChannelConfig(Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), 1), 0, 1);
        ChannelConfig two = new ChannelConfig(Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), 2), 0, 3);
        ProxyRuntime.applyGroups(routing, List.of(new GroupConfig(GroupType.ROUND_ROBIN, List.of(one, two))));
        Destination stays = routing.group(0).channel(1);
        assertEquals(3, stays.weight());
        stays.addSent(42);

        ChannelConfig twoHeavier = new ChannelConfig(two.endpoint(), 0, 7);
        ChannelConfig three = new ChannelConfig(Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), 3), 0, 0);
        ProxyRuntime.applyGroups(routing, List.of(new GroupConfig(GroupType.LEAST_CONNECTIONS, List.of(twoHeavier, three))));
        assertSame(stays, routing.group(0).channel(0), "the channel that stays is the same object");
        assertEquals(42, stays.bytesSent(), "and keeps its counters");
        assertEquals(7, stays.weight());
        assertEquals(0, routing.group(0).channel(1).weight());
        assertEquals(GroupType.LEAST_CONNECTIONS, routing.group(0).type());
    }

    @Test
    void aNameResolvedToAnotherAddressIsTheSameChannelMovedThereAndATwinThatStayedKeepsItsOwn() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.2");
        InetAddress b = InetAddress.getByName("127.0.0.3");
        Routing routing = new Routing();
        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN,
                new ChannelConfig(Endpoint.of("svc.test", a, 80), 0), new ChannelConfig(Endpoint.of("svc.test", a, 81), 0),
                new ChannelConfig(Endpoint.of("other.test", a, 80), 0))));
        Destination svc = routing.group(0).channel(0);
        Destination twin = routing.group(0).channel(1);
        Destination other = routing.group(0).channel(2);
        svc.disable();
        svc.addSent(100);

        ProxyRuntime.applyGroups(routing, List.of(group(GroupType.ROUND_ROBIN,
                new ChannelConfig(Endpoint.of("svc.test", b, 80), 4), new ChannelConfig(Endpoint.of("svc.test", a, 81), 0),
                new ChannelConfig(Endpoint.of("else.test", b, 80), 0))));

        assertSame(svc, routing.group(0).channel(0), "same name and port: the same channel");
        assertEquals(Endpoint.of("svc.test", b, 80), svc.endpoint(), "at its new address");
        assertFalse(svc.isEnabled(), "the operator's disable stays");
        assertEquals(100, svc.bytesSent(), "counters stay");
        assertEquals(4, svc.maxConnections());
        assertSame(twin, routing.group(0).channel(1));
        assertEquals(a, twin.endpoint().address().getAddress());
        assertNotSame(other, routing.group(0).channel(2), "another name is another channel");
    }
}
