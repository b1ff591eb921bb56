package org.balance.policy;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.Locale;
import org.balance.relay.SessionRecord;

/**
 * The {@code --log-sessions} line of an ended session:
 * <pre>session 10.0.0.5:51234 -> :80 group 0 channel 1 (10.1.1.2:80) connect 0.4 ms duration 12.345 s sent 1234 rcvd 56789 end client-closed</pre>
 * The client's address and port (IPv6 in brackets; {@code -} if not an IP connection), balance's port, the group and
 * channel and its address ({@code group - channel - (-)} if none was connected), the time to connect
 * ({@code connect -} if never), the duration, bytes relayed each way, and how it ended.
 */
public final class SessionLine {
    private SessionLine() {
    }

    public static String format(SessionRecord s) {
        StringBuilder b = new StringBuilder(128).append("session ").append(address(s.client()))
                .append(" -> :").append(s.listenPort());
        if (s.group() < 0) {
            b.append(" group - channel - (-)");
        } else {
            b.append(" group ").append(s.group()).append(" channel ").append(s.channel())
                    .append(" (").append(address(s.server())).append(')');
        }
        b.append(" connect ");
        if (s.connectNanos() < 0) {
            b.append('-');
        } else {
            b.append(String.format(Locale.ROOT, "%.1f ms", s.connectNanos() / 1e6));
        }
        b.append(String.format(Locale.ROOT, " duration %.3f s", s.durationNanos() / 1e9))
                .append(" sent ").append(s.sent()).append(" rcvd ").append(s.received())
                .append(" end ").append(s.end().label());
        return b.toString();
    }

    private static String address(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return "-";
        }
        String ip = NetUtil.toAddressString(a.getAddress());
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
