package org.balance.health;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a connect check wants to read back: a reply that starts with some bytes ({@code expect=}), or one in
 * which a regular expression finds a match ({@code expect-regex=}). Bytes are held as ISO-8859-1 characters,
 * one per byte, and the reply is read the same way.
 */
public sealed interface Expect {

    /** Most bytes read while waiting for a match: a reply longer than this without a match fails. */
    int MAX_REPLY = 16 * 1024;

    /** The reply starts with these bytes. */
    record Prefix(String bytes) implements Expect {
        public Prefix {
            Objects.requireNonNull(bytes, "bytes");
            if (bytes.isEmpty()) {
                throw new IllegalArgumentException("empty expectation");
            }
        }

        @Override
        public String toString() {
            return "expect \"" + Escapes.show(bytes, 60) + "\"";
        }
    }

    /** The regular expression finds a match in the reply ({@code ^} anchors it at the start). */
    record Match(Pattern pattern) implements Expect {
        public Match {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Match m && m.pattern.pattern().equals(pattern.pattern());
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }

        @Override
        public String toString() {
            return "expect-regex \"" + pattern.pattern() + "\"";
        }
    }
}
