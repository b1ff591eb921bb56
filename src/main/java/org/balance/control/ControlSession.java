package org.balance.control;

import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;

/**
 * What one control connection works on: the instance's routing and process id, and the connection's current
 * group (where {@code enable}, {@code create} and the others act), which starts at 0. Used by one connection
 * at a time; the routing itself is safe to change while sessions are accepted on other threads.
 */
final class ControlSession {
    private final Routing routing;
    private final long pid;
    private int currentGroup;

    ControlSession(Routing routing, long pid) {
        this.routing = routing;
        this.pid = pid;
    }

    Routing routing() {
        return routing;
    }

    long pid() {
        return pid;
    }

    int currentGroup() {
        return currentGroup;
    }

    void setCurrentGroup(int group) {
        if (routing.group(group) == null) {
            throw new IllegalArgumentException("no group " + group);
        }
        currentGroup = group;
    }

    DestinationGroup group() {
        return routing.group(currentGroup);
    }
}
