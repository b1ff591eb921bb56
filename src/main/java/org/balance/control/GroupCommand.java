package org.balance.control;

import org.balance.balancing.Limits;

/** {@code group N}: later commands of this session act on group N. Silent on success, as the original. */
final class GroupCommand implements CommandHandler {

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        int group = Arguments.index(args.number(0), Limits.MAX_GROUPS);
        if (group < 0) {
            out.append("value out of range\n");
        } else {
            session.setCurrentGroup(group);
        }
        return After.CONTINUE;
    }
}
