package org.balance.policy;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import org.balance.balancing.ClientAddress;
import org.balance.log.Log;
import org.balance.relay.Admission;
import org.balance.relay.Origin;

/**
 * {@code --allow}, {@code --deny} and {@code --source-limit} as the relay's {@link Admission}: the source list first
 * (a refused client takes no place in the counts), then the per-source limit, whose place the session gives back
 * when it ends. Refusals are logged at most once per source per {@link RefusalLog} interval.
 */
public final class SourcePolicy implements Admission {
    private static final byte[] NO_ADDRESS = new byte[0];
    private final AccessList access;
    private final int limit;
    private final SourceLimits limits;
    private final RefusalLog refusals;
    private final Log log;

    SourcePolicy(PolicyConfig config, SourceLimits limits, RefusalLog refusals, Log log) {
        this.access = config.access();
        this.limit = config.sourceLimit();
        this.limits = limits;
        this.refusals = refusals;
        this.log = log;
    }

    /** The admission for {@code config}: {@link Admission#ALL} when it has no list and no limit. */
    public static Admission of(PolicyConfig config, SourceLimits limits, RefusalLog refusals, Log log) {
        return config.admits() ? new SourcePolicy(config, limits, refusals, log) : ALL;
    }

    @Override
    public Verdict admit(Origin origin) {
        InetSocketAddress source = origin.source();
        byte[] address = source == null || source.getAddress() == null ? NO_ADDRESS : ClientAddress.bytesOf(source.getAddress());
        if (!access.permits(address)) {
            return refuse(Refusal.LIST, address, "not allowed by --allow/--deny");
        }
        if (limit > 0) {
            SourceLimits.Slot slot = limits.acquire(address, limit);
            if (slot == null) {
                return refuse(Refusal.LIMIT, address, "over --source-limit " + limit);
            }
            return Verdict.admitted(slot::release);
        }
        return Verdict.ADMITTED;
    }

    private Verdict refuse(Refusal why, byte[] address, String reason) {
        String who = address.length == 0 ? "(no address)" : NetUtil.bytesToIpAddress(address);
        String line = refusals.refused(who, reason, System.currentTimeMillis());
        if (line != null) {
            log.notice(line);
        }
        return Verdict.refused(why);
    }
}
