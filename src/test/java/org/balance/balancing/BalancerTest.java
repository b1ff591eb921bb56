package org.balance.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BalancerTest {
    private static final byte[] CLIENT = {10, 0, 0, 1};

    private static Destination channel(int lastOctet, int maxc) throws Exception {
        InetAddress a = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastOctet});
        return new Destination(Endpoint.of("127.0.0." + lastOctet, a, 1000 + lastOctet), maxc, true);
    }

    /** groups[g] = number of channels in group g; channel k of group g is 127.0.0.(10g+k+1) */
    private static Routing routing(GroupType type, int... groups) throws Exception {
        Routing r = new Routing();
        for (int g = 0; g < groups.length; g++) {
            r.group(g).setType(type);
            for (int k = 0; k < groups[g]; k++) {
                r.group(g).add(channel(10 * g + k + 1, 0));
            }
        }
        return r;
    }

    @Test
    void roundRobinInStrictOrder() throws Exception {
        Balancer b = new Balancer(routing(GroupType.ROUND_ROBIN, 3), false);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Selection s = b.select(CLIENT);
            order.add(s.channel());
            s.destination().release();
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), order);
    }

    @Test
    void selectionCountsAtOnceAndReleaseGivesBack() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 1);
        Balancer b = new Balancer(r, false);
        Selection s = b.select(CLIENT);
        Destination d = s.destination();
        assertEquals(1, d.currentConnections());
        assertEquals(1, d.totalConnections());
        d.release();
        assertEquals(0, d.currentConnections());
        assertEquals(1, d.totalConnections());
    }

    @Test
    void disabledAndFullChannelsAreSkippedAndTheNextGroupTakesOver() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 2, 1);
        Balancer b = new Balancer(r, false);
        r.group(0).channel(0).disable();
        r.group(0).channel(1).setMaxConnections(1);

        Selection first = b.select(CLIENT);
        assertEquals(0, first.group());
        assertEquals(1, first.channel());
        Selection second = b.select(CLIENT);
        assertEquals(1, second.group(), "group 0 is full or disabled, failover to group 1");
        first.destination().release();
        assertEquals(0, b.select(CLIENT).group(), "a freed slot is used again");
    }

    @Test
    void outcomeSaysWhyNothingWasPicked() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 2);
        Balancer b = new Balancer(r, false);
        r.group(0).channel(0).setMaxConnections(1);
        r.group(0).channel(1).disable();
        assertTrue(b.select(CLIENT).isPicked());
        assertEquals(Selection.Outcome.ALL_FULL, b.select(CLIENT).outcome());
        r.group(0).channel(0).disable();
        assertEquals(Selection.Outcome.NONE_ENABLED, b.select(CLIENT).outcome());
    }

    @Test
    void failoverAvoidsFailedChannelsThenLaterGroups() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 3, 1);
        Balancer b = new Balancer(r, false);
        Selection s = b.select(CLIENT);
        assertEquals(0, s.channel());
        Set<Destination> avoid = new HashSet<>();
        avoid.add(s.destination());
        s.destination().release();

        Selection retry = b.select(CLIENT, s.group(), avoid);
        assertEquals(0, retry.group());
        assertEquals(1, retry.channel(), "the next channel of the same group is tried first");
        avoid.add(retry.destination());
        retry.destination().release();
        Selection third = b.select(CLIENT, retry.group(), avoid);
        assertEquals(2, third.channel());
        avoid.add(third.destination());
        third.destination().release();
        Selection fourth = b.select(CLIENT, third.group(), avoid);
        assertEquals(1, fourth.group(), "all of group 0 failed: group 1");
        avoid.add(fourth.destination());
        fourth.destination().release();
        assertFalse(b.select(CLIENT, fourth.group(), avoid).isPicked());
    }

    @Test
    void manualPageImapExampleFillsGroupZeroThenOverflows() throws Exception {
        // balance imap mailserver1::16 ! mailserver2
        Routing r = routing(GroupType.ROUND_ROBIN, 1, 1);
        r.group(0).channel(0).setMaxConnections(16);
        Balancer b = new Balancer(r, false);
        for (int i = 0; i < 16; i++) {
            assertEquals(0, b.select(CLIENT).group());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(1, b.select(CLIENT).group());
        }
        assertEquals(16, r.group(0).channel(0).currentConnections());
    }

    @Test
    void hashIsStickyAndDependsOnTheClientAddressOnly() throws Exception {
        Routing r = routing(GroupType.HASH, 4);
        Balancer b = new Balancer(r, false);
        for (int client = 1; client <= 50; client++) {
            byte[] address = {127, 0, 1, (byte) client};
            int first = b.select(address).channel();
            for (int i = 0; i < 5; i++) {
                b.select(new byte[] {127, 0, 0, 9}); // other clients in between move nothing
                assertEquals(first, b.select(address).channel());
            }
        }
    }

    @Test
    void hashSpreadsClientsOverAllChannels() throws Exception {
        Routing r = routing(GroupType.HASH, 4);
        Balancer b = new Balancer(r, false);
        Map<Integer, Integer> perChannel = new HashMap<>();
        for (int client = 1; client <= 200; client++) {
            byte[] address = {127, 0, (byte) (client / 250), (byte) (client % 250 + 1)};
            perChannel.merge(b.select(address).channel(), 1, Integer::sum);
        }
        assertEquals(4, perChannel.size(), perChannel.toString());
        perChannel.values().forEach(n -> assertTrue(n >= 25, "uneven spread " + perChannel));
    }

    @Test
    void hashIsTheSameOnEveryRunAndMachine() {
        // Fixed values: a change here moves every client of every hash group to another server.
        assertEquals(-52446353, ClientHash.hash(new byte[] {10, 0, 0, 1}));
        assertEquals(ClientHash.hash(new byte[] {10, 0, 0, 1}),
                ClientHash.hash(ClientAddress.fold(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 1})));
        assertNotEquals(ClientHash.hash(new byte[] {10, 0, 0, 1}), ClientHash.hash(new byte[] {10, 0, 0, 2}));
    }

    @Test
    void hashWithoutFailoverGoesToTheNextGroup() throws Exception {
        Routing r = routing(GroupType.HASH, 3, 1);
        Balancer b = new Balancer(r, false);
        Selection home = b.select(CLIENT);
        home.destination().release();
        home.destination().disable();
        Selection s = b.select(CLIENT);
        assertEquals(1, s.group());
    }

    @Test
    void hashWithFailoverTakesTheFollowingChannel() throws Exception {
        Routing r = routing(GroupType.HASH, 3, 1);
        Balancer b = new Balancer(r, true);
        Selection home = b.select(CLIENT);
        home.destination().release();
        home.destination().disable();
        Selection s = b.select(CLIENT);
        assertEquals(0, s.group());
        assertEquals((home.channel() + 1) % 3, s.channel());
    }

    @Test
    void emptyGroupsAreSkipped() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 1);
        r.group(5).add(channel(99, 0));
        r.group(0).channel(0).disable();
        Selection s = new Balancer(r, false).select(CLIENT);
        assertEquals(5, s.group());
    }

    @Test
    void maxcHoldsUnderConcurrentSelection() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 2);
        r.group(0).channel(0).setMaxConnections(10);
        r.group(0).channel(1).setMaxConnections(10);
        Balancer b = new Balancer(r, false);
        AtomicInteger picked = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    if (b.select(CLIENT).isPicked()) {
                        picked.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join(10_000);
        }
        assertEquals(20, picked.get());
        assertEquals(10, r.group(0).channel(0).currentConnections());
        assertEquals(10, r.group(0).channel(1).currentConnections());
    }

    @Test
    void createdChannelsJoinTheRotation() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 1);
        Balancer b = new Balancer(r, false);
        Destination extra = channel(50, 0);
        extra.disable();
        assertEquals(1, r.group(0).add(extra));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.select(CLIENT).channel());
        }
        extra.enable();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(b.select(CLIENT).channel());
        }
        assertEquals(Set.of(0, 1), seen);
    }

    /** The two ways a channel leaves selection: the operator's switch, and the checks' (or -a's) soft one. */
    private static void takeOut(String how, Destination d) {
        switch (how) {
            case "disabled" -> d.disable();
            case "down" -> assertTrue(d.markDown());
            default -> throw new IllegalArgumentException(how);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void roundRobinSkipsAChannelThatIsOut(String how) throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 3);
        Balancer b = new Balancer(r, false);
        takeOut(how, r.group(0).channel(1));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Selection s = b.select(CLIENT);
            order.add(s.channel());
            s.destination().release();
        }
        assertEquals(List.of(0, 2, 0, 2), order);
        assertEquals(0, r.group(0).channel(1).totalConnections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void hashWithoutFailoverSendsTheClientOfAnOutChannelToTheNextGroup(String how) throws Exception {
        Routing r = routing(GroupType.HASH, 3, 1);
        Balancer b = new Balancer(r, false);
        Selection home = b.select(CLIENT);
        home.destination().release();
        takeOut(how, home.destination());
        assertEquals(1, b.select(CLIENT).group());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void hashWithFailoverSendsTheClientOfAnOutChannelToTheFollowingChannel(String how) throws Exception {
        Routing r = routing(GroupType.HASH, 3, 1);
        Balancer b = new Balancer(r, true);
        Selection home = b.select(CLIENT);
        home.destination().release();
        takeOut(how, home.destination());
        Selection s = b.select(CLIENT);
        assertEquals(0, s.group());
        assertEquals((home.channel() + 1) % 3, s.channel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void anOutChannelIsNeitherAvailableNorFullAndTheOutcomeSaysSo(String how) throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 2);
        Balancer b = new Balancer(r, false);
        Destination limited = r.group(0).channel(0);
        Destination out = r.group(0).channel(1);
        limited.setMaxConnections(1);
        out.setMaxConnections(1);
        takeOut(how, out);
        assertFalse(out.isAvailable());
        assertFalse(out.isFull());
        assertTrue(b.select(CLIENT).isPicked());
        assertEquals(Selection.Outcome.ALL_FULL, b.select(CLIENT).outcome());
        takeOut(how, limited);
        assertEquals(Selection.Outcome.NONE_ENABLED, b.select(CLIENT).outcome());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void theFailoverGroupTakesOverWhenEveryChannelOfTheFirstIsOut(String how) throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 2, 1);
        Balancer b = new Balancer(r, false);
        takeOut(how, r.group(0).channel(0));
        takeOut(how, r.group(0).channel(1));
        for (int i = 0; i < 3; i++) {
            Selection s = b.select(CLIENT);
            assertEquals(1, s.group());
            s.destination().release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void aFailedConnectFailsOverPastAChannelThatIsOut(String how) throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 3, 1);
        Balancer b = new Balancer(r, false);
        takeOut(how, r.group(0).channel(1));
        Selection first = b.select(CLIENT);
        assertEquals(0, first.channel());
        first.destination().release();
        Set<Destination> avoid = new HashSet<>(Set.of(first.destination()));
        Selection retry = b.select(CLIENT, first.group(), avoid);
        assertEquals(0, retry.group());
        assertEquals(2, retry.channel(), "channel 1 is out: the retry goes to channel 2");
        retry.destination().release();
        avoid.add(retry.destination());
        assertEquals(1, b.select(CLIENT, retry.group(), avoid).group(), "then to the failover group, never to channel 1");
        assertEquals(0, r.group(0).channel(1).totalConnections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void hashWithFailoverRetriesPastAChannelThatIsOut(String how) throws Exception {
        Routing r = routing(GroupType.HASH, 3, 1);
        Balancer b = new Balancer(r, true);
        Selection home = b.select(CLIENT);
        home.destination().release();
        takeOut(how, r.group(0).channel((home.channel() + 1) % 3));
        Selection retry = b.select(CLIENT, 0, new HashSet<>(Set.of(home.destination())));
        assertEquals(0, retry.group());
        assertEquals((home.channel() + 2) % 3, retry.channel(), "the connect to its channel failed, the next is out");
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "down"})
    void maxcHoldsForAChannelThatComesBack(String how) throws Exception {
        // balance imap mailserver1::2 ! mailserver2, with mailserver1 out for a while
        Routing r = routing(GroupType.ROUND_ROBIN, 1, 1);
        Destination limited = r.group(0).channel(0);
        limited.setMaxConnections(2);
        Balancer b = new Balancer(r, false);
        takeOut(how, limited);
        assertEquals(1, b.select(CLIENT).group(), "out: below its maxc, still no session");
        assertTrue(how.equals("down") ? limited.markUp() : limited.enable());
        assertEquals(0, b.select(CLIENT).group());
        assertEquals(0, b.select(CLIENT).group());
        assertEquals(1, b.select(CLIENT).group(), "back, and full at its maxc");
        assertEquals(2, limited.currentConnections());
    }
}
