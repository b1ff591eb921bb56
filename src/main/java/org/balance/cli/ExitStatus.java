package org.balance.cli;

/** Exit statuses, after sysexits(3), as the original uses them. */
public final class ExitStatus {
    public static final int OK = 0;
    /** Bad command line: options, port, channel grammar. */
    public static final int USAGE = 64;
    /** An address that does not resolve. */
    public static final int DATA_ERROR = 65;
    /** A file that cannot be read: missing, a directory, no permission. */
    public static final int NO_INPUT = 66;
    /** No running instance to control, or the instance went away. */
    public static final int UNAVAILABLE = 69;
    /** A defect of ours. */
    public static final int SOFTWARE = 70;
    /** The system refused: bind, socket, run directory. */
    public static final int OS_ERROR = 71;

    private ExitStatus() {
    }
}
