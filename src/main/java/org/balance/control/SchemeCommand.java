package org.balance.control;

import org.balance.balancing.GroupType;

/** {@code hash} and {@code rr}: how the current group picks a channel for the next sessions. */
final class SchemeCommand implements CommandHandler {
    private final GroupType type;

    SchemeCommand(GroupType type) {
        this.type = type;
    }

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) {
        session.group().setType(type);
        out.append("group ").append(session.currentGroup()).append(" set to ")
                .append(type == GroupType.HASH ? "hash" : "round robin").append('\n');
        return After.CONTINUE;
    }
}
