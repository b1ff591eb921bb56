package org.balance.relay;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Whom a session is for: the client's address and port, and the address and port it connected to. Normally those
 * of the accepted connection; with {@code --accept-proxy}, those of the PROXY header that a front load balancer
 * put first on it. Hash groups select by {@code source}'s address, and {@code --send-proxy} passes both on.
 * Either may be null (not an IP connection).
 */
public record Origin(InetSocketAddress source, InetSocketAddress destination) {

    /** The accepted connection's own addresses. */
    public static Origin of(Channel client) {
        return new Origin(inet(client.remoteAddress()), inet(client.localAddress()));
    }

    private static InetSocketAddress inet(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }
}
