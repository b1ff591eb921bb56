package org.balance.stats;

/**
 * A small JSON writer: objects, arrays, strings with every character that needs it escaped (RFC 8259), numbers.
 * Commas are placed by the writer; callers only open, name, write and close.
 */
final class Json {
    private final StringBuilder out;
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    Json(StringBuilder out) {
        this.out = out;
    }

    Json() {
        this(new StringBuilder());
    }

    Json open() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    Json close() {
        out.append('}');
        comma = true;
        return this;
    }

    Json openArray() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    Json closeArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /** The name of the next member of an object. */
    Json name(String name) {
        separate();
        string(out, name);
        out.append(':');
        comma = false;
        return this;
    }

    Json value(String s) {
        separate();
        if (s == null) {
            out.append("null");
        } else {
            string(out, s);
        }
        comma = true;
        return this;
    }

    Json value(long n) {
        separate();
        out.append(n);
        comma = true;
        return this;
    }

    /** A finite number as is, a non-finite one as null (JSON has no infinity). */
    Json value(double d) {
        separate();
        if (Double.isFinite(d)) {
            out.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
        } else {
            out.append("null");
        }
        comma = true;
        return this;
    }

    Json value(boolean b) {
        separate();
        out.append(b);
        comma = true;
        return this;
    }

    Json member(String name, String s) {
        return name(name).value(s);
    }

    Json member(String name, long n) {
        return name(name).value(n);
    }

    Json member(String name, double d) {
        return name(name).value(d);
    }

    Json member(String name, boolean b) {
        return name(name).value(b);
    }

    private void separate() {
        if (comma) {
            out.append(',');
            comma = false;
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** {@code s} as a JSON string: quote, backslash and control characters escaped; {@code <} too, so it is safe in HTML. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '<' || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
