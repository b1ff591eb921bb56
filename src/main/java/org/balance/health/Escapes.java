package org.balance.health;

import java.nio.charset.StandardCharsets;

/**
 * Backslash escapes in check specs, as balance.fm reads them: {@code \a \b \t \n \v \f \r} are control
 * characters and a backslash before any other character stands for that character ({@code \:} a colon,
 * {@code \\} a backslash). Text to send or expect also takes {@code \xHH}, a byte in hex.
 */
final class Escapes {

    private Escapes() {
    }

    /** A command line: escapes resolved, other characters as they are. */
    static String command(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\' || i + 1 == raw.length()) {
                out.append(c);
            } else {
                out.append(control(raw.charAt(++i)));
            }
        }
        return out.toString();
    }

    /**
     * Bytes to send or expect, one ISO-8859-1 character per byte: escapes resolved (and {@code \xHH}, a byte in
     * hex), other characters encoded as UTF-8.
     */
    static String bytes(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        int plain = 0; // start of the run of characters without escapes, encoded as UTF-8 in one go
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) != '\\' || i + 1 == raw.length()) {
                continue;
            }
            utf8(raw.substring(plain, i), out);
            char e = raw.charAt(i + 1);
            int hex = e == 'x' ? hexByte(raw, i + 2) : -1;
            if (hex >= 0) {
                out.append((char) hex);
                i += 3;
            } else {
                utf8(String.valueOf(control(e)), out);
                i += 1;
            }
            plain = i + 1;
        }
        utf8(raw.substring(plain), out);
        return out.toString();
    }

    private static void utf8(String text, StringBuilder out) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append((char) (b & 0xff));
        }
    }

    /** The character {@code \e} stands for. */
    private static char control(char e) {
        return switch (e) {
            case 'a' -> '\u0007';
            case 'b' -> '\b';
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'v' -> '\u000b';
            case 'f' -> '\f';
            case 'r' -> '\r';
            default -> e;
        };
    }

    private static int hexByte(String s, int at) {
        if (at + 2 > s.length()) {
            return -1;
        }
        int hi = Character.digit(s.charAt(at), 16);
        int lo = Character.digit(s.charAt(at + 1), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /**
     * Bytes (ISO-8859-1 characters) for a log line or {@code monitor show}: printable ASCII as it is, CR, LF
     * and tab as {@code \r \n \t}, anything else as {@code \xHH}; cut after {@code max} characters with "...".
     */
    static String show(String bytes, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length(); i++) {
            if (out.length() >= max) {
                return out.append("...").toString();
            }
            char c = bytes.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\x%02x", (int) c & 0xff));
                    }
                }
            }
        }
        return out.toString();
    }
}
