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

    public Balancer(Routing routing, boolean hashFailover) {
        this.routing = routing;
        this.hashFailover = hashFailover;
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
            Destination[] members = group.snapshot();
            int n = members.length;
            if (n == 0) {
                continue;
            }
            Algorithm algorithm = group.type().algorithm(hashFailover);
            int cursor = group.cursor(n);
            for (int attempt = 0; ; attempt++) {
                int index = algorithm.candidate(attempt, n, cursor, clientAddress);
                if (index < 0) {
                    break;
                }
                Destination d = members[index];
                if (avoid.contains(d)) {
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
}
