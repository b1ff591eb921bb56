package org.balance.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns host words into addresses, with the original's message for the ones that do not resolve. */
public final class Resolver {

    private Resolver() {
    }

    /** Resolves a host name or literal address; {@code ::ffff:a.b.c.d} becomes the IPv4 address. */
    public static InetAddress resolve(String host) throws UsageException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253 || name.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw invalid(host);
        }
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException | SecurityException e) {
            throw invalid(host);
        }
    }

    private static UsageException invalid(String host) {
        return new UsageException("unknown or invalid address [" + host + "]", ExitStatus.DATA_ERROR);
    }
}
