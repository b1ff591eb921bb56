package org.balance.control;

import java.util.function.Supplier;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;
import org.balance.cli.Usage;
import org.balance.health.HealthMonitor;
import org.balance.relay.SessionCounters;
import org.balance.stats.Snapshot;
import org.balance.stats.StatusJson;

/**
 * What one control connection works on: the instance's routing, health checks and process id, and the connection's current
 * group (where {@code enable}, {@code create} and the others act), which starts at 0. Used by one connection
 * at a time; the routing itself is safe to change while sessions are accepted on other threads.
 */
final class ControlSession {
    private final Routing routing;
    private final HealthMonitor health;
    private final long pid;
    private final Supplier<String> statusJson;
    private int currentGroup;

    /** A session of an instance without health checks. */
    ControlSession(Routing routing, long pid) {
        this(routing, HealthMonitor.none(), pid);
    }

    ControlSession(Routing routing, HealthMonitor health, long pid) {
        this(routing, health, pid, () -> StatusJson.of(Snapshot.take(routing, health, new SessionCounters(), 0), Usage.VERSION));
    }

    /** {@code statusJson} gives what {@code json} prints: the instance's state with its session counts. */
    ControlSession(Routing routing, HealthMonitor health, long pid, Supplier<String> statusJson) {
        this.routing = routing;
        this.health = health;
        this.pid = pid;
        this.statusJson = statusJson;
    }

    String statusJson() {
        return statusJson.get();
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
