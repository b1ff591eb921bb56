package org.balance.cli;

/** A problem with what the operator asked for: a one-line message naming the bad value, and the exit status. */
public final class UsageException extends Exception {
    private final int exitStatus;
    private final boolean showUsage;

    public UsageException(String message, int exitStatus) {
        this(message, exitStatus, false);
    }

    private UsageException(String message, int exitStatus, boolean showUsage) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
        this.showUsage = showUsage;
    }

    /** A usage error: the message, then the usage text, exit 64. */
    public static UsageException usage(String message) {
        return new UsageException(message, ExitStatus.USAGE, true);
    }

    public int exitStatus() {
        return exitStatus;
    }

    public boolean showUsage() {
        return showUsage;
    }
}
