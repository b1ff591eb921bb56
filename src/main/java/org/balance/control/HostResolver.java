package org.balance.control;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.balance.cli.Resolver;
import org.balance.cli.UsageException;

/** Turns the host word of {@code create} and {@code assign} into an address. May block (DNS). */
@FunctionalInterface
interface HostResolver {

    InetAddress resolve(String host) throws UnknownHostException;

    /** The same rules as channels on the command line. */
    static HostResolver system() {
        return host -> {
            try {
                return Resolver.resolve(host);
            } catch (UsageException e) {
                throw new UnknownHostException(host);
            }
        };
    }
}
