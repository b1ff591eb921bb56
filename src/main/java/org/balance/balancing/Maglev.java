package org.balance.balancing;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Hash groups with Maglev consistent hashing ({@code --hash maglev}; Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4). Each channel has its own permutation of the slots of a
 * lookup table of prime size {@link #TABLE_SIZE}, derived from its address and port alone; the channels take turns
 * to claim their next free preferred slot until the table is full (a channel of weight w takes w turns for every
 * {@code max weight} turns of the heaviest, as Envoy does). A client's hash picks a slot, the slot names its channel.
 *
 * <p>So two instances with the same channels (in any order) build the same table and send a client to the same
 * channel, every channel holds the same share of slots (within one slot, or in proportion to its weight), and a
 * channel added or removed changes only a few per cent of the other slots.
 *
 * <p><b>Out of service</b> (disabled, down by its checks or {@code -a}): the table is kept, and a client whose slot
 * names such a channel takes the next slot whose channel is in service. The clients of every other channel stay
 * exactly where they are, and the moved ones spread over the others in proportion to their slots. (Rebuilding the
 * table from the channels in service would move a few per cent of the others too, as a pool change does:
 * {@code MaglevTest} measures both.) Nothing is rebuilt when a channel goes out or comes back.
 *
 * <p><b>Full</b> (at its maxc) or failed to connect: as for the original's hash groups, the client goes to the next
 * group, or with {@code -H} to the next channel in service along its slots.
 *
 * <p>The table is built once per {@link Layout} (channels and weights), then only read: a lookup is one hash and one
 * array read, with no lock and no allocation.
 */
final class Maglev implements Algorithm {
    /**
     * Slots of the lookup table: a prime, at least 100 times the most channels a group holds (64), as the paper asks
     * for an even spread; large enough that a weight of 1 beside 63 channels of the maximum weight (1000) still gets
     * about one slot, small enough to build in a few milliseconds and keep in 64 KiB.
     */
    static final int TABLE_SIZE = 65537;

    static final Maglev WITHOUT_FAILOVER = new Maglev(false);
    static final Maglev WITH_FAILOVER = new Maglev(true);

    private final boolean failover;

    private Maglev(boolean failover) {
        this.failover = failover;
    }

    @Override
    public int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress) {
        if (attempt > 0 && !failover) {
            return -1;
        }
        return layout.maglev().lookup(layout.members, ClientHash.hash(clientAddress), attempt == 0 ? 0 : tried);
    }

    /** One lookup table: slot to channel index, immutable once built. */
    static final class Table {
        private final byte[] slots;
        /** Channels that hold at least one slot (bit i: channel i). */
        private final long present;

        private Table(byte[] slots, long present) {
            this.slots = slots;
            this.present = present;
        }

        int size() {
            return slots.length;
        }

        /** The channel slot {@code i} names, or -1 when no channel has a weight above 0. */
        int channel(int slot) {
            return slots[slot];
        }

        /**
         * The channel for a client of hash {@code hash}: its slot's channel, or, when that one is out of service
         * or in {@code skip}, the channel of the next slot that is neither; -1 if there is none.
         */
        int lookup(Destination[] members, int hash, long skip) {
            if (present == 0) {
                return -1;
            }
            int m = slots.length;
            int slot = Integer.remainderUnsigned(hash, m);
            long seen = 0;
            for (int k = 0; k < m; k++) {
                int c = slots[slot];
                long bit = 1L << c;
                if ((seen & bit) == 0) {
                    seen |= bit;
                    if ((skip & bit) == 0 && members[c].isInService()) {
                        return c;
                    }
                    if (seen == present) {
                        return -1;
                    }
                }
                slot = slot + 1 == m ? 0 : slot + 1;
            }
            return -1;
        }

        /**
         * Maglev's population: channels in a fixed order (by address, so that the order of the command line does not
         * matter) take turns to claim the next free slot of their permutation; a channel of weight w takes its turn
         * in w of every {@code max weight} rounds; weight 0 takes none.
         */
        static Table build(Layout layout, int size) {
            int n = layout.size();
            byte[] slots = new byte[size];
            Arrays.fill(slots, (byte) -1);
            byte[][] names = new byte[n][];
            for (int i = 0; i < n; i++) {
                names[i] = name(layout.members[i].endpoint().address(), layout.members, i);
            }
            Integer[] order = new Integer[n];
            int maxWeight = 0;
            for (int i = 0; i < n; i++) {
                order[i] = i;
                maxWeight = Math.max(maxWeight, layout.weights[i]);
            }
            if (maxWeight == 0) {
                return new Table(slots, 0);
            }
            Arrays.sort(order, (a, b) -> Arrays.compare(names[a], names[b]));
            // channel i's permutation is offset, offset + skip, offset + 2 skip, ... (mod size); at[i] is where it is
            int[] at = new int[n];
            int[] skip = new int[n];
            long[] target = new long[n];
            for (int i = 0; i < n; i++) {
                at[i] = (int) Long.remainderUnsigned(hash64(names[i], 0x9e3779b97f4a7c15L), size);
                skip[i] = (int) Long.remainderUnsigned(hash64(names[i], 0xc2b2ae3d27d4eb4fL), size - 1) + 1;
            }
            long present = 0;
            int filled = 0;
            for (long round = 1; filled < size; round++) {
                for (int k = 0; k < n && filled < size; k++) {
                    int i = order[k];
                    int w = layout.weights[i];
                    if (w == 0 || round * w < target[i]) {
                        continue;
                    }
                    target[i] += maxWeight;
                    int slot = at[i];
                    while (slots[slot] >= 0) {
                        slot += skip[i];
                        if (slot >= size) {
                            slot -= size;
                        }
                    }
                    slots[slot] = (byte) i;
                    slot += skip[i];
                    at[i] = slot >= size ? slot - size : slot;
                    filled++;
                    present |= 1L << i;
                }
            }
            return new Table(slots, present);
        }

        /**
         * What a channel's permutation is derived from: its address and port as the network sees them (so a name and
         * its address agree), and, for a channel listed twice, how many times it came before.
         */
        private static byte[] name(InetSocketAddress address, Destination[] members, int index) {
            int earlier = 0;
            for (int j = 0; j < index; j++) {
                if (members[j].endpoint().address().equals(address)) {
                    earlier++;
                }
            }
            byte[] ip = address.getAddress().getAddress();
            byte[] name = Arrays.copyOf(ip, ip.length + 3);
            name[ip.length] = (byte) (address.getPort() >>> 8);
            name[ip.length + 1] = (byte) address.getPort();
            name[ip.length + 2] = (byte) earlier;
            return name;
        }

        /** FNV-1a, 64 bits, from {@code seed}, finished with murmur3's fmix64: fixed on every run and machine. */
        static long hash64(byte[] bytes, long seed) {
            long h = 0xcbf29ce484222325L ^ seed;
            for (byte b : bytes) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            h ^= h >>> 33;
            return h;
        }
    }
}
