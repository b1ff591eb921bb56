package org.balance.control;

import java.math.BigInteger;
import org.balance.balancing.Limits;

/**
 * {@code weight N W}: channel N of the current group takes W shares of the group's new sessions from now on
 * (round robin and Maglev hash groups; least connections counts sessions per share). 0 takes no new session,
 * like a drain: the sessions in progress go on.
 */
final class WeightCommand implements CommandHandler {

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        BigInteger n = args.number(0);
        BigInteger w = args.number(1);
        int channel = Arguments.index(n, Integer.MAX_VALUE);
        if (session.group().channel(channel) == null) {
            out.append("unknown channel\n");
            return After.CONTINUE;
        }
        if (w.signum() < 0 || w.compareTo(BigInteger.valueOf(Limits.MAX_WEIGHT)) > 0) {
            out.append("invalid weight [").append(w).append("]: 0 to ").append(Limits.MAX_WEIGHT).append('\n');
            return After.CONTINUE;
        }
        if (!session.group().setWeight(channel, w.intValue())) {
            out.append("unknown channel\n");
            return After.CONTINUE;
        }
        out.append("weight of channel ").append(n).append(" changed to ").append(w).append('\n');
        return After.CONTINUE;
    }
}
