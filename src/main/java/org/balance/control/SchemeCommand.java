package org.balance.control;

import org.balance.balancing.GroupType;

/** {@code hash}, {@code rr} and {@code leastconn}: how the current group picks a channel for the next sessions. */
final class SchemeCommand implements CommandHandler {
    private final GroupType type;

    SchemeCommand(GroupType type) {
        this.type = type;
    }

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) {
        session.group().setType(type);
        out.append("group ").append(session.currentGroup()).append(" set to ")
                .append(switch (type) {
                    case HASH -> "hash";
                    case ROUND_ROBIN -> "round robin";
                    case LEAST_CONNECTIONS -> "least connections";
                }).append('\n');
        return After.CONTINUE;
    }
}
