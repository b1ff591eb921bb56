package org.balance.balancing;

/** How hash groups map a client to a channel ({@code --hash}). */
public enum HashScheme {
    /** The original's: the client's hash modulo the number of channels ({@link ClientHash}). */
    CLASSIC,
    /** Maglev consistent hashing ({@link Maglev}): a channel out of service, added or removed moves few clients. */
    MAGLEV;

    /** The word of {@code --hash}: {@code classic} or {@code maglev}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The scheme {@code word} names, or null. */
    public static HashScheme of(String word) {
        for (HashScheme s : values()) {
            if (s.word().equals(word)) {
                return s;
            }
        }
        return null;
    }
}
