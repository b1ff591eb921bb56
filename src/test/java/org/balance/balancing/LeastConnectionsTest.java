package org.balance.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Least connections: the channel in service with the fewest sessions in progress (per weight) takes the next one. */
class LeastConnectionsTest {
    private static final byte[] CLIENT = {10, 0, 0, 1};

    private static Routing routing(int... weights) throws Exception {
        Routing r = new Routing();
        List<Destination> channels = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            channels.add(new Destination(Endpoint.of("10.4.0." + i, InetAddress.getByAddress(new byte[] {10, 4, 0, (byte) i}), 80),
                    0, true));
        }
        r.group(0).replace(GroupType.LEAST_CONNECTIONS, channels, weights);
        r.group(1).add(new Destination(Endpoint.of("10.4.1.1", InetAddress.getByAddress(new byte[] {10, 4, 1, 1}), 80), 0, true));
        return r;
    }

    @Test
    void theChannelWithTheFewestSessionsInProgressTakesTheNext() throws Exception {
        Routing r = routing(1, 1, 1);
        Balancer b = new Balancer(r, false);
        List<Selection> open = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            open.add(b.select(CLIENT)); // 2 each
        }
        open.stream().filter(s -> s.channel() == 1).findFirst().orElseThrow().destination().release();
        open.stream().filter(s -> s.channel() == 1).skip(1).findFirst().orElseThrow().destination().release();
        assertEquals(0, r.group(0).channel(1).currentConnections());
        assertEquals(1, b.select(CLIENT).channel(), "channel 1 has none left");
        assertEquals(1, b.select(CLIENT).channel(), "still the fewest");
        r.group(0).channel(1).disable();
        Selection s = b.select(CLIENT);
        assertEquals(0, s.group());
        assertEquals(2, s.channel(), "in service only; a tie (0 and 2 have 2 each) goes to the next after the cursor");
    }

    @Test
    void shortSessionsGoRoundInsteadOfAllToTheFirstChannel() throws Exception {
        Balancer b = new Balancer(routing(1, 1, 1), false);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Selection s = b.select(CLIENT);
            order.append(s.channel());
            s.destination().release();
        }
        assertEquals("012012", order.toString());
    }

    @Test
    void sessionsPerWeight() throws Exception {
        Routing r = routing(3, 1);
        Balancer b = new Balancer(r, false);
        for (int i = 0; i < 40; i++) {
            b.select(CLIENT);
        }
        assertEquals(30, r.group(0).channel(0).currentConnections());
        assertEquals(10, r.group(0).channel(1).currentConnections());
    }

    @Test
    void fullFailedAndOutChannelsAreSkippedThenTheNextGroup() throws Exception {
        Routing r = routing(1, 1);
        Balancer b = new Balancer(r, false);
        r.group(0).channel(0).setMaxConnections(1);
        assertEquals(0, b.select(CLIENT).channel());
        assertEquals(1, b.select(CLIENT).channel());
        assertEquals(1, b.select(CLIENT).channel(), "channel 0 is full");
        Selection retry = b.select(CLIENT, 0, java.util.Set.of(r.group(0).channel(1)));
        assertEquals(1, retry.group(), "channel 1 failed to connect, channel 0 is full: the next group");
        r.group(0).channel(0).setMaxConnections(0);
        r.group(0).channel(0).markDown();
        r.group(0).channel(1).disable();
        assertEquals(1, b.select(CLIENT).group());
    }
}
