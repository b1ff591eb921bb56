package org.balance.cli;

import org.balance.balancing.Limits;

/**
 * One channel word: {@code host[:port[:maxc[:weight]]]}. An empty port ({@code host::12}) means the listen port;
 * an empty maxc is 0 (no limit); the weight is 1 unless given, 0 to {@link Limits#MAX_WEIGHT}.
 * IPv6 hosts go in brackets ({@code [2001:db8::1]:80:4}); a bare IPv6 address with no port is accepted too.
 */
public record ChannelSpec(String host, String port, int maxConnections, int weight) {

    /** Weight 1, as a channel without the fourth field has. */
    public ChannelSpec(String host, String port, int maxConnections) {
        this(host, port, maxConnections, 1);
    }

    /** Largest maxc accepted: the original's int, far above any descriptor limit. */
    public static final int MAX_MAXC = Integer.MAX_VALUE;

    /** {@code port} is null when the word gave none, meaning "the listen port". */
    public static ChannelSpec parse(String word) throws UsageException {
        String host;
        String rest;
        if (word.startsWith("[")) {
            int close = word.indexOf(']');
            if (close < 0) {
                throw new UsageException("unknown or invalid address [" + word + "]", ExitStatus.DATA_ERROR);
            }
            host = word.substring(1, close);
            rest = word.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                throw new UsageException("unknown or invalid address [" + word + "]", ExitStatus.DATA_ERROR);
            }
            rest = rest.isEmpty() ? null : rest.substring(1);
        } else if (isBareIpv6(word)) {
            host = word;
            rest = null;
        } else {
            int colon = word.indexOf(':');
            host = colon < 0 ? word : word.substring(0, colon);
            rest = colon < 0 ? null : word.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new UsageException("unknown or invalid address [" + word + "]", ExitStatus.DATA_ERROR);
        }

        String port = null;
        int maxc = 0;
        int weight = 1;
        if (rest != null) {
            int colon = rest.indexOf(':');
            String portText = colon < 0 ? rest : rest.substring(0, colon);
            String maxcText = colon < 0 ? "" : rest.substring(colon + 1);
            int second = maxcText.indexOf(':');
            String weightText = second < 0 ? null : maxcText.substring(second + 1);
            maxcText = second < 0 ? maxcText : maxcText.substring(0, second);
            port = portText.isEmpty() ? null : portText;
            if (!maxcText.isEmpty()) {
                maxc = maxc(maxcText, word);
            }
            if (weightText != null) {
                weight = weight(weightText, word);
            }
        }
        return new ChannelSpec(host, port, maxc, weight);
    }

    private static int weight(String text, String word) throws UsageException {
        if (!text.isEmpty() && text.length() <= 4 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int value = Integer.parseInt(text);
            if (value <= Limits.MAX_WEIGHT) {
                return value;
            }
        }
        throw UsageException.usage("invalid weight [" + text + "] in channel [" + word + "]: 0 to " + Limits.MAX_WEIGHT);
    }

    private static int maxc(String text, String word) throws UsageException {
        boolean digits = !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (digits) {
            long value = Long.parseLong(text);
            if (value <= MAX_MAXC) {
                return (int) value;
            }
        }
        throw UsageException.usage("invalid maxc [" + text + "] in channel [" + word + "]");
    }

    /** Three or more colons, or a leading "::", and nothing but hex digits, dots and colons. */
    private static boolean isBareIpv6(String word) {
        long colons = word.chars().filter(c -> c == ':').count();
        if (colons < 2 || (colons == 2 && !word.startsWith("::"))) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return false;
            }
        }
        // An IPv6 address has dots only in an IPv4 tail, and either "::" or all eight groups (seven with that
        // tail): so 10.0.0.5:80:0:5 and cafe:80:0:5 are channels with a weight, not addresses.
        int lastColon = word.lastIndexOf(':');
        if (word.lastIndexOf('.', lastColon) >= 0) {
            return false;
        }
        boolean dottedTail = word.indexOf('.', lastColon) >= 0;
        return word.contains("::") || colons == (dottedTail ? 6 : 7);
    }
}
