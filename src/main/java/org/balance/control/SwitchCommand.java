package org.balance.control;

import java.math.BigInteger;
import org.balance.balancing.Destination;

/**
 * {@code enable N} and {@code disable N} in the current group. A disabled channel gets no new sessions;
 * the ones it has go on. {@code enable} also brings back a channel taken out by autodisable or by checks; the
 * operator's {@code disable} holds whatever the checks find. Without checks the answers are the original's,
 * for which a channel autodisabled by {@code -a} is already disabled.
 */
final class SwitchCommand implements CommandHandler {
    private final boolean enable;

    SwitchCommand(boolean enable) {
        this.enable = enable;
    }

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        BigInteger n = args.number(0);
        Destination d = session.group().channel(Arguments.index(n, Integer.MAX_VALUE));
        if (d == null) {
            out.append("no such channel ").append(n).append('\n');
            return After.CONTINUE;
        }
        boolean inService = d.isInService();
        boolean changed = enable ? d.enable() : d.disable();
        session.health().operatorSwitched(session.currentGroup(), n.intValue(), d, enable, changed);
        if (!enable && !session.health().isConfigured()) {
            changed = inService;
        }
        String state = enable ? "enabled" : "disabled";
        out.append("channel ").append(n).append(changed ? " " : " already ").append(state).append('\n');
        return After.CONTINUE;
    }
}
