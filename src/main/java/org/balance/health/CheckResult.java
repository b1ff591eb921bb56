package org.balance.health;

/**
 * What one check found: passed, failed (the server's fault, counts towards {@code fall}), or could not be run
 * here (out of descriptors, no process: our trouble, which counts neither way), with a reason for the
 * operator and how long it took.
 */
public record CheckResult(Outcome outcome, String reason, long millis) {

    public enum Outcome { PASS, FAIL, ERROR }

    static CheckResult pass(long millis) {
        return new CheckResult(Outcome.PASS, "ok", millis);
    }

    static CheckResult fail(String reason, long millis) {
        return new CheckResult(Outcome.FAIL, reason, millis);
    }

    static CheckResult error(String reason, long millis) {
        return new CheckResult(Outcome.ERROR, reason, millis);
    }

    public boolean passed() {
        return outcome == Outcome.PASS;
    }

    @Override
    public String toString() {
        return (outcome == Outcome.ERROR ? "not checked: " : "") + reason + " (" + millis + " ms)";
    }
}
