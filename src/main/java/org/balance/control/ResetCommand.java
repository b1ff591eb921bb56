package org.balance.control;

import java.math.BigInteger;
import org.balance.balancing.Destination;

/** {@code reset N}: zeroes the channel's sent, rcvd and totalc; its current connections stay. */
final class ResetCommand implements CommandHandler {

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        BigInteger n = args.number(0);
        Destination d = session.group().channel(Arguments.index(n, Integer.MAX_VALUE));
        if (d == null) {
            out.append("no such channel ").append(n).append('\n');
            return After.CONTINUE;
        }
        d.resetCounters();
        out.append("channel ").append(n).append(" counters reset\n");
        return After.CONTINUE;
    }
}
