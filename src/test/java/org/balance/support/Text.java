package org.balance.support;

/** Looking at what a proxy printed. */
public final class Text {
    private Text() {
    }

    /** How many times {@code part} stands in {@code text}. */
    public static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
