package org.balance.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Channel weights: smooth weighted round robin (as nginx), Maglev slots in proportion, weight 0 takes nothing. */
class WeightsTest {

    private static Destination channel(int i) throws Exception {
        InetAddress a = InetAddress.getByAddress(new byte[] {10, 2, 0, (byte) i});
        return new Destination(Endpoint.of("10.2.0." + i, a, 80), 0, true);
    }

    private static Routing routing(GroupType type, int... weights) throws Exception {
        Routing r = new Routing();
        List<Destination> channels = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            channels.add(channel(i));
        }
        r.group(0).replace(type, channels, weights);
        r.group(1).add(channel(99));
        return r;
    }

    private static String order(Balancer b, int sessions) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sessions; i++) {
            Selection sel = b.select(new byte[] {1, 2, 3, 4});
            s.append(sel.group() == 0 ? (char) ('a' + sel.channel()) : '-');
            sel.destination().release();
        }
        return s.toString();
    }

    @Test
    void roundRobinInterleavesInProportionAsNginxDoes() throws Exception {
        // nginx's documented example: weights 5, 1, 1 give a a b a c a a
        assertEquals("aabacaa".repeat(3), order(new Balancer(routing(GroupType.ROUND_ROBIN, 5, 1, 1), false), 21));
        assertEquals("ababa".repeat(2), order(new Balancer(routing(GroupType.ROUND_ROBIN, 3, 2), false), 10));
        assertEquals("abcabc", order(new Balancer(routing(GroupType.ROUND_ROBIN, 2, 2, 2), false), 6),
                "equal weights: the original's round robin");
    }

    @Test
    void roundRobinShareOfAChannelOutOfServiceGoesToTheOthersInProportion() throws Exception {
        Routing r = routing(GroupType.ROUND_ROBIN, 4, 2, 1);
        Balancer b = new Balancer(r, false);
        r.group(0).channel(0).disable();
        String seen = order(b, 30);
        assertEquals(20, seen.chars().filter(c -> c == 'b').count(), seen);
        assertEquals(10, seen.chars().filter(c -> c == 'c').count(), seen);
    }

    @Test
    void weightZeroTakesNoNewSessionInAnyGroupType() throws Exception {
        for (GroupType type : GroupType.values()) {
            for (HashScheme scheme : HashScheme.values()) {
                Routing r = routing(type, 1, 0, 2);
                Balancer b = new Balancer(r, true, scheme);
                Random random = new Random(1);
                for (int i = 0; i < 300; i++) {
                    byte[] client = new byte[4];
                    random.nextBytes(client);
                    Selection s = b.select(client);
                    assertTrue(s.isPicked());
                    assertFalse(s.group() == 0 && s.channel() == 1, type + " " + scheme.word());
                }
                r.group(0).setWeight(0, 0);
                r.group(0).setWeight(2, 0);
                assertEquals(1, b.select(new byte[] {1, 1, 1, 1}).group(), "no weight left: the next group");
            }
        }
    }

    @Test
    void maglevGivesSlotsInProportionToTheWeights() throws Exception {
        Routing r = routing(GroupType.HASH, 1, 2, 3, 4);
        Maglev.Table t = r.group(0).layout().maglev();
        int[] slots = new int[4];
        for (int i = 0; i < t.size(); i++) {
            slots[t.channel(i)]++;
        }
        for (int c = 0; c < 4; c++) {
            double share = (double) slots[c] / t.size();
            assertEquals((c + 1) / 10.0, share, 0.002, "channel " + c + ": " + slots[c] + " slots");
        }
        // the extremes: a weight of 1 beside 63 channels of 1000 still holds slots
        int[] heavy = new int[64];
        java.util.Arrays.fill(heavy, 1000);
        heavy[17] = 1;
        Maglev.Table big = routing(GroupType.HASH, heavy).group(0).layout().maglev();
        int light = 0;
        for (int i = 0; i < big.size(); i++) {
            light += big.channel(i) == 17 ? 1 : 0;
        }
        assertTrue(light >= 1 && light <= 2, light + " slots");
    }

    @Test
    void aNewWeightRebuildsTheMaglevTableAndMovesFewOtherClients() throws Exception {
        Routing r = routing(GroupType.HASH, 1, 1, 1, 1, 1, 1, 1, 1);
        Maglev.Table before = r.group(0).layout().maglev();
        assertTrue(r.group(0).setWeight(3, 2));
        Maglev.Table after = r.group(0).layout().maglev();
        int changed = 0, changedToOthers = 0;
        for (int i = 0; i < before.size(); i++) {
            if (before.channel(i) != after.channel(i)) {
                changed++;
                changedToOthers += after.channel(i) != 3 ? 1 : 0;
            }
        }
        // channel 3 goes from 1/8 to 2/9 of the slots: about 10 % of the slots move to it
        assertEquals(2.0 / 9 - 1.0 / 8, (double) changed / before.size(), 0.03);
        assertTrue((double) changedToOthers / before.size() < 0.03, changedToOthers + " slots moved between others");
    }
}
