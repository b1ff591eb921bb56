package org.balance.control;

import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;
import org.balance.health.HealthMonitor;

/**
 * What one control connection works on: the instance's routing, health checks and process id, and the connection's current
 * group (where {@code enable}, {@code create} and the others act), which starts at 0. Used by one connection
 * at a time; the routing itself is safe to change while sessions are accepted on other threads.
 */
final class ControlSession {
    private final Routing routing;
    private final HealthMonitor health;
    private final long pid;
    private int currentGroup;

    /** A session of an instance without health checks. */
    ControlSession(Routing routing, long pid) {
        this(routing, HealthMonitor.none(), pid);
    }

    ControlSession(Routing routing, HealthMonitor health, long pid) {
        this.routing = routing;
        this.health = health;
        this.pid = pid;
    }

    Routing routing() {
        return routing;
    }

    HealthMonitor health() {
        return health;
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
