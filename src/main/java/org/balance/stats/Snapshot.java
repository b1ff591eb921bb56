package org.balance.stats;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.balance.balancing.ConnectStats;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;
import org.balance.health.ChannelStatus;
import org.balance.health.HealthMonitor;
import org.balance.relay.Admission;
import org.balance.relay.SessionCounters;

/**
 * The state of an instance at one moment, as the statistics show it: every channel of every group with its
 * switches, check verdict and counters, and the instance's own counts. Taken on demand (a scrape, a poll, the
 * {@code json} command); nothing here runs while nobody asks.
 *
 * @param checks whether health checks are configured (then every row has a check verdict)
 * @param headerRejected client connections closed because their PROXY header was missing or invalid ({@code --accept-proxy})
 * @param refusedLimit   client connections refused over {@code --source-limit}
 * @param refusedList    client connections refused by {@code --allow} / {@code --deny}
 */
public record Snapshot(long takenMillis, long startedMillis, long pid, boolean checks, long accepted, long unavailable,
                       long headerRejected, long refusedLimit, long refusedList, long inProgress, long openFds, long maxFds, List<Group> groups) {

    /** One group: its number, {@code RR}, {@code Hash} or {@code LC} as {@code show} prints it, and its channels. */
    public record Group(int number, String type, List<Row> channels) {
    }

    /**
     * One channel. {@code state} is {@code ENA}, {@code DIS} (the operator's) or {@code dis} (checks, {@code -a}),
     * as {@code show} prints it once checks are configured; {@code check} the checks' verdict ({@code up},
     * {@code down}, {@code paused}, {@code none}) and {@code lastCheck} the last result, or null.
     */
    public record Row(int group, int channel, String host, String ip, int port, Destination.Status status,
                      String check, long checksPassed, long checksFailed, String lastCheck, long lastChangeMillis,
                      int current, long total, int maxc, int weight, long sent, long received,
                      long refused, long timeouts, long otherFailures, long[] connectBuckets, double connectSeconds) {

        /** {@code ip:port}, IPv6 in brackets: the {@code address} label. */
        public String address() {
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
        }

        public String state() {
            return label(status);
        }
    }

    /** {@code ENA}, {@code DIS} (the operator's) or {@code dis} (checks, {@code -a}), as {@code show} with checks. */
    public static String label(Destination.Status status) {
        return switch (status) {
            case ENABLED -> "ENA";
            case DISABLED -> "DIS";
            case SOFT_DISABLED -> "dis";
        };
    }

    /** Reads the instance now. */
    public static Snapshot take(Routing routing, HealthMonitor health, SessionCounters sessions, long startedMillis) {
        Map<Destination, ChannelStatus> checked = new HashMap<>();
        boolean checks = health.isConfigured();
        if (checks) {
            for (ChannelStatus s : health.status()) {
                checked.put(routing.group(s.group()).channel(s.channel()), s);
            }
        }
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < routing.groupCount(); g++) {
            DestinationGroup group = routing.group(g);
            if (group.size() == 0) {
                continue;
            }
            List<Row> rows = new ArrayList<>();
            List<Destination> channels = group.channels();
            for (int c = 0; c < channels.size(); c++) {
                Destination d = channels.get(c);
                ChannelStatus s = checked.get(d);
                ConnectStats cs = d.connects();
                rows.add(new Row(g, c, d.endpoint().host(), d.endpoint().addressText(), d.endpoint().port(), d.status(),
                        s == null ? null : s.check(), s == null ? 0 : s.passed(), s == null ? 0 : s.failed(),
                        s == null || s.lastResult() == null ? null : s.lastResult().toString(),
                        s == null ? 0 : s.lastChangeMillis(),
                        d.currentConnections(), d.totalConnections(), d.maxConnections(), d.weight(), d.bytesSent(),
                        d.bytesReceived(),
                        cs.failures(ConnectStats.Failure.REFUSED), cs.failures(ConnectStats.Failure.TIMEOUT),
                        cs.failures(ConnectStats.Failure.OTHER), cs.buckets(), cs.seconds()));
            }
            groups.add(new Group(g, group.type().label(), List.copyOf(rows)));
        }
        long open = -1, max = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            open = unix.getOpenFileDescriptorCount();
            max = unix.getMaxFileDescriptorCount();
        }
        return new Snapshot(System.currentTimeMillis(), startedMillis, ProcessHandle.current().pid(), checks,
                sessions.accepted(), sessions.unavailable(), sessions.headerRejectedCount(),
                sessions.refused(Admission.Refusal.LIMIT), sessions.refused(Admission.Refusal.LIST), sessions.inProgress(), open, max, List.copyOf(groups));
    }

    /** Every channel of every group, in order. */
    public List<Row> rows() {
        List<Row> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.channels()));
        return all;
    }
}
