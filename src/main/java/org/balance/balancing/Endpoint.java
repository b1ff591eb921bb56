package org.balance.balancing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a channel forwards to: the host as the operator wrote it and the address it resolved to.
 * Immutable, so that {@code assign} can swap it in one step while sessions read it.
 */
public record Endpoint(String host, InetSocketAddress address) {

    public Endpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
    }

    public static Endpoint of(String host, InetAddress address, int port) {
        return new Endpoint(host, new InetSocketAddress(address, port));
    }

    public int port() {
        return address.getPort();
    }

    /** The numeric address as {@code show} prints it. */
    public String addressText() {
        return address.getAddress().getHostAddress();
    }

    @Override
    public String toString() {
        String ip = addressText();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port();
    }
}
