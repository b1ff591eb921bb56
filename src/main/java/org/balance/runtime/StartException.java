package org.balance.runtime;

/** Start-up failed before the proxy could serve: a one-line reason for the operator and the exit status. */
public final class StartException extends Exception {
    private final int exitStatus;

    public StartException(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
