package org.balance.balancing;

/**
 * Hash groups: the client's address alone picks the channel, so a client always lands on the same server.
 * Without hash failover ({@code -H}) an unavailable channel sends the client to the next group; with it, the
 * following channels of the same group are tried in order.
 */
final class ClientHash implements Algorithm {
    static final ClientHash WITHOUT_FAILOVER = new ClientHash(false);
    static final ClientHash WITH_FAILOVER = new ClientHash(true);

    private final boolean failover;

    private ClientHash(boolean failover) {
        this.failover = failover;
    }

    @Override
    public int candidate(int attempt, Layout layout, int cursor, long tried, byte[] clientAddress) {
        int channelCount = layout.size();
        if (attempt >= channelCount || (attempt > 0 && !failover)) {
            return -1;
        }
        int home = Integer.remainderUnsigned(hash(clientAddress), channelCount);
        return (home + attempt) % channelCount;
    }

    /**
     * FNV-1a over the address bytes, finished with a murmur3 mix so that neighbouring addresses spread.
     * Fixed constants: the same client maps to the same channel on every run and every machine.
     */
    static int hash(byte[] address) {
        int h = 0x811c9dc5;
        for (byte b : address) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
