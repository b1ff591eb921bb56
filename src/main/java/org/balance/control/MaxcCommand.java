package org.balance.control;

import java.math.BigInteger;
import org.balance.balancing.Destination;

/** {@code maxc N M}: the channel takes at most M sessions at once from now on (0: no limit). */
final class MaxcCommand implements CommandHandler {

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        BigInteger n = args.number(0);
        BigInteger m = args.number(1);
        Destination d = session.group().channel(Arguments.index(n, Integer.MAX_VALUE));
        if (d == null) {
            out.append("unknown channel\n");
            return After.CONTINUE;
        }
        if (m.signum() < 0 || m.bitLength() > 31) {
            out.append("value out of range\n");
            return After.CONTINUE;
        }
        d.setMaxConnections(m.intValue());
        out.append("maxc of channel ").append(n).append(" changed to ").append(m).append('\n');
        return After.CONTINUE;
    }
}
