package org.balance.control;

import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;

/**
 * {@code mrtg-bytes G C} and {@code mrtg-conns G C}: the four lines MRTG reads from an external command
 * (in, out, uptime, target name). The channel is checked against group G itself; the original checked it
 * against the session's current group.
 */
final class MrtgCommand implements CommandHandler {
    private final boolean bytes;

    MrtgCommand(boolean bytes) {
        this.bytes = bytes;
    }

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        int g = Arguments.index(args.number(0), session.routing().groupCount());
        int c = Arguments.index(args.number(1), Integer.MAX_VALUE);
        DestinationGroup group = session.routing().group(g);
        if (group == null) {
            out.append("unknown group\n");
            return After.CONTINUE;
        }
        Destination d = group.channel(c);
        if (d == null) {
            out.append("unknown channel\n");
            return After.CONTINUE;
        }
        if (bytes) {
            out.append(d.bytesReceived()).append('\n').append(d.bytesSent()).append('\n');
        } else {
            out.append(d.totalConnections()).append("\nUNKNOWN\n");
        }
        out.append("UNKNOWN\ngroup ").append(g).append(" channel ").append(c).append('\n');
        return After.CONTINUE;
    }
}
