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
        if (!looksLikeAddress(name) && !isHostName(name)) {
            throw invalid(host); // no lookup for a name no DNS server could know
        }
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException | SecurityException e) {
            throw invalid(host);
        }
    }

    /** Digits, dots, hex and colons only: an IPv4 or IPv6 literal (or nonsense the parser will refuse). */
    private static boolean looksLikeAddress(String s) {
        return !s.isEmpty() && s.length() <= 64
                && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                        || c == '.' || c == ':' || c == '%');
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static UsageException invalid(String host) {
        return new UsageException("unknown or invalid address [" + host + "]", ExitStatus.DATA_ERROR);
    }
}
