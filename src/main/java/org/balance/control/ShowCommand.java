package org.balance.control;

import java.util.List;
import java.util.Locale;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Endpoint;
import org.balance.balancing.Routing;
import org.balance.health.HealthMonitor;

/**
 * {@code show}: every channel of every group with its counters, in the original's columns. The S column reads
 * {@code ENA} or {@code dis}; once health checks are configured it tells, as balance.fm does, {@code DIS}
 * (disabled by the operator) from {@code dis} (taken out by checks or autodisable).
 */
final class ShowCommand implements CommandHandler {
    static final String HEADER = String.format(Locale.ROOT, "%3s %4s %2s %3s %16s %5s %4s %11s %4s %11s %11s\n",
            "GRP", "Type", "#", "S", "ip-address", "port", "c", "totalc", "maxc", "sent", "rcvd");
    private static final String ROW = "%3d %4s %2d %3s %16s %5d %4d %11d %4d %11d %11d\n";

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) {
        format(session.routing(), session.health(), out);
        return After.CONTINUE;
    }

    /** As the original, without checks. */
    static void format(Routing routing, StringBuilder out) {
        format(routing, HealthMonitor.none(), out);
    }

    /** The header, then one row per channel; wider values overflow their column, as with printf. */
    static void format(Routing routing, HealthMonitor health, StringBuilder out) {
        boolean twoSwitches = health.isConfigured();
        out.append(HEADER);
        for (int g = 0; g < routing.groupCount(); g++) {
            DestinationGroup group = routing.group(g);
            String type = group.type().label();
            List<Destination> channels = group.channels();
            for (int c = 0; c < channels.size(); c++) {
                Destination d = channels.get(c);
                Endpoint e = d.endpoint();
                out.append(String.format(Locale.ROOT, ROW, g, type, c, label(d.status(), twoSwitches),
                        e.addressText(), e.port(), d.currentConnections(), d.totalConnections(),
                        d.maxConnections(), d.bytesSent(), d.bytesReceived()));
            }
        }
    }

    /** The S column: the original's two words, or balance.fm's three once checks are configured. */
    static String label(Destination.Status status, boolean twoSwitches) {
        return switch (status) {
            case ENABLED -> "ENA";
            case SOFT_DISABLED -> "dis";
            case DISABLED -> twoSwitches ? "DIS" : "dis";
        };
    }
}
