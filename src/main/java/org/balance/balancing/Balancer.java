package org.balance.balancing;

import java.util.Set;

/**
 * Chooses the channel for a new session, as the original does: groups in order from group 0; in each,
 * the group's algorithm proposes channels and the first available one is taken. A failed connect is
 * retried by selecting again with the failed channels to avoid, starting at the group that failed.
 *
 * <p>Pure logic over {@link Routing}: no sockets, safe to call from many threads at once.
 */
public final class Balancer {
    private final Routing routing;
    private final boolean hashFailover;
    private final HashScheme hashScheme;

    /** With the original's hash ({@link HashScheme#CLASSIC}). */
    public Balancer(Routing routing, boolean hashFailover) {
        this(routing, hashFailover, HashScheme.CLASSIC);
    }

    public Balancer(Routing routing, boolean hashFailover, HashScheme hashScheme) {
        this.routing = routing;
        this.hashFailover = hashFailover;
        this.hashScheme = hashScheme;
    }

    public HashScheme hashScheme() {
        return hashScheme;
    }

    public Routing routing() {
        return routing;
    }

    /** First choice for a new client. */
    public Selection select(byte[] clientAddress) {
        return select(clientAddress, 0, Set.of());
    }

    /**
     * Chooses a channel in {@code fromGroup} or a later group, never one in {@code avoid}. On success the
     * channel's current and total connection counts are already raised and the group's cursor has moved
     * past it; the caller must {@link Destination#release()} it when the session or the connect attempt ends.
     */
    public Selection select(byte[] clientAddress, int fromGroup, Set<Destination> avoid) {
        boolean sawFull = false;
        for (int g = Math.max(0, fromGroup); g < routing.groupCount(); g++) {
            DestinationGroup group = routing.group(g);
            Layout layout = group.layout();
            Destination[] members = layout.members;
            int n = members.length;
            if (n == 0) {
                continue;
            }
            Algorithm algorithm = group.type().algorithm(hashScheme, hashFailover, layout);
            int cursor = group.cursor(n);
            long avoided = avoid.isEmpty() ? 0 : mask(members, avoid);
            long tried = avoided;
            for (int attempt = 0; ; attempt++) {
                int index = algorithm.candidate(attempt, layout, cursor, tried, clientAddress);
                if (index < 0) {
                    break;
                }
                long bit = 1L << index;
                tried |= bit;
                Destination d = members[index];
                if ((avoided & bit) != 0 || layout.weights[index] == 0) {
                    continue;
                }
                if (d.tryReserve()) {
                    group.advancePast(index, n);
                    return Selection.picked(g, index, d);
                }
                sawFull |= d.isFull();
            }
        }
        return Selection.unavailable(sawFull);
    }

    /** The channels of {@code members} that are in {@code avoid} (bit i: channel i). */
    private static long mask(Destination[] members, Set<Destination> avoid) {
        long mask = 0;
        for (int i = 0; i < members.length; i++) {
            if (avoid.contains(members[i])) {
                mask |= 1L << i;
            }
        }
        return mask;
    }
}
