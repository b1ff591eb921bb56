package org.balance.control;

import java.math.BigInteger;
import java.util.List;

/**
 * The words after the command word. Words that are missing, or not the decimal numbers a command expects,
 * make a {@link SyntaxError} (the original's {@code atoi} took {@code "x"} for 0 and wrapped huge values).
 * Numbers keep their full value, so that a huge one is reported as out of range, not wrapped.
 */
final class Arguments {
    private final List<String> words;

    Arguments(List<String> words) {
        this.words = List.copyOf(words);
    }

    int size() {
        return words.size();
    }

    /** The {@code i}-th word; missing is a syntax error. */
    String word(int i) throws SyntaxError {
        if (i >= words.size()) {
            throw new SyntaxError();
        }
        return words.get(i);
    }

    /** The {@code i}-th word as a decimal integer with an optional sign, of any size. */
    BigInteger number(int i) throws SyntaxError {
        BigInteger n = parse(word(i));
        if (n == null) {
            throw new SyntaxError();
        }
        return n;
    }

    /** A decimal integer with an optional sign, or null. */
    static BigInteger parse(String word) {
        int start = word.startsWith("+") || word.startsWith("-") ? 1 : 0;
        if (word.length() == start) {
            return null;
        }
        for (int i = start; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return new BigInteger(word);
    }

    /** {@code n} as an int if {@code 0 <= n < limit}, else -1. */
    static int index(BigInteger n, int limit) {
        return n.signum() >= 0 && n.compareTo(BigInteger.valueOf(limit)) < 0 ? n.intValue() : -1;
    }
}
