package org.balance.relay;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Whom a session is for: the client's address and port, and the address and port it connected to. Normally those
 * of the accepted connection; with {@code --accept-proxy}, those of the PROXY header that a front load balancer
 * put first on it. Hash groups select by {@code source}'s address, and {@code --send-proxy} passes both on.
 * Either may be null (not an IP connection).
 *
 * <p>The accepted connection's own destination is asked of it only when wanted: most sessions never need it, and
 * on epoll asking is a system call ({@code getsockname}, see {@link RelaySocketChannel}).
 */
public final class Origin {
    private final InetSocketAddress source;
    /** The client connection whose local address is the destination, until that is asked for; then null. */
    private Channel accepted;
    private InetSocketAddress destination;

    public Origin(InetSocketAddress source, InetSocketAddress destination) {
        this.source = source;
        this.destination = destination;
    }

    private Origin(InetSocketAddress source, Channel accepted) {
        this.source = source;
        this.accepted = accepted;
    }

    /** The accepted connection's own addresses (the destination read when first asked for). */
    public static Origin of(Channel client) {
        return new Origin(inet(client.remoteAddress()), client);
    }

    public InetSocketAddress source() {
        return source;
    }

    public synchronized InetSocketAddress destination() {
        if (accepted != null) {
            destination = inet(accepted.localAddress());
            accepted = null;
        }
        return destination;
    }

    private static InetSocketAddress inet(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other && Objects.equals(source, other.source)
                && Objects.equals(destination(), other.destination());
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, destination());
    }

    @Override
    public String toString() {
        return "Origin[source=" + source + ", destination=" + destination() + "]";
    }
}
