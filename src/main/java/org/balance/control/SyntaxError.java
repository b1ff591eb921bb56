package org.balance.control;

/** A command line that does not fit its command: a missing or malformed argument. Answered {@code syntax error}. */
final class SyntaxError extends Exception {
    SyntaxError() {
        super("syntax error", null, false, false);
    }
}
