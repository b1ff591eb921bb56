package org.balance.control;

import org.balance.balancing.Limits;
import org.balance.cli.Usage;

/** {@code version}: our version and the real group and channel limits, in the original's three lines. */
final class VersionCommand implements CommandHandler {

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) {
        out.append("  This is balance ").append(Usage.VERSION).append('\n')
                .append("  MAXGROUPS=").append(Limits.MAX_GROUPS).append('\n')
                .append("  MAXCHANNELS=").append(Limits.MAX_CHANNELS).append('\n');
        return After.CONTINUE;
    }
}
