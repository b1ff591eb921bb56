package org.balance.stats;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which requests the statistics endpoint answers, by their Host header (against DNS rebinding: a page of
 * {@code evil.example}, whose name comes to resolve to the endpoint's address, runs in the operator's browser and
 * sends {@code Host: evil.example}). Answered: the endpoint's own address (the one the request came in on, IPv4 or
 * [IPv6]), {@code localhost}, and the names the operator gave ({@code --stats-host}, and a name in {@code --stats});
 * with any port, letters in any case, a trailing dot or not. An HTTP/1.0 request without Host is answered too: no
 * browser sends one, and old monitoring tools may not. Nothing here looks a name up.
 */
final class HostCheck {
    /** What to do with a request. */
    enum Verdict {
        ANSWER,
        /** 421: a name that is not this endpoint's. */
        MISDIRECTED,
        /** 400: HTTP/1.1 without Host, two Host headers, or one that is no host[:port]. */
        BAD_REQUEST
    }

    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private final Set<String> names;

    /** {@code names}: the operator's, as given (case and a trailing dot do not matter). */
    HostCheck(List<String> names) {
        this.names = names.stream().map(HostCheck::normalize).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** The verdict on a request with these Host header values, protocol ({@code HTTP/1.1}) and local address. */
    Verdict check(List<String> hostHeaders, String protocol, InetAddress local) {
        if (hostHeaders == null || hostHeaders.isEmpty()) {
            return "HTTP/1.0".equals(protocol) ? Verdict.ANSWER : Verdict.BAD_REQUEST;
        }
        if (hostHeaders.size() > 1) {
            return Verdict.BAD_REQUEST;
        }
        String value = hostHeaders.get(0).trim();
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return Verdict.BAD_REQUEST;
            }
            host = value.substring(0, close + 1);
            port = value.substring(close + 1);
        } else {
            int colon = value.indexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? "" : value.substring(colon);
        }
        if (!port.isEmpty() && !(port.startsWith(":") && PORT.matcher(port.substring(1)).matches())) {
            return Verdict.BAD_REQUEST;
        }
        host = normalize(host);
        if (host.isEmpty()) {
            return Verdict.MISDIRECTED;
        }
        if (host.equals("localhost") || names.contains(host)) {
            return Verdict.ANSWER;
        }
        InetAddress literal = literal(host);
        return literal != null && literal.equals(local) ? Verdict.ANSWER : Verdict.MISDIRECTED;
    }

    /** The address {@code host} writes literally (IPv4, or IPv6 in brackets), or null for a name. */
    private static InetAddress literal(String host) {
        boolean v6 = host.startsWith("[") && host.endsWith("]") && IPV6.matcher(host.substring(1, host.length() - 1)).matches();
        if (!v6 && !IPV4.matcher(host).matches()) {
            return null;
        }
        try {
            // a literal only: no name service is asked
            return InetAddress.getByName(v6 ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
