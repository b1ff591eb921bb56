package org.balance.control;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a running balance keeps its control socket: {@code /var/run/balance}, or {@code $BALANCE_RUNDIR}.
 * The socket is named as the original named its rendezvous file, {@code balance.PORT.ADDR}, where ADDR is the
 * {@code -b} text as given or {@code 0.0.0.0}; so {@code balance -b ADDR -c cmd PORT} finds the instance that
 * was started with the same {@code -b ADDR} and PORT. Uses java.base only: the control client loads it.
 */
public final class RunDirectory {
    /** Environment variable that moves the run directory (tests, non-root users). */
    public static final String ENV = "BALANCE_RUNDIR";
    public static final Path DEFAULT = Path.of("/var/run/balance");
    /** A Unix socket path holds at most 107 bytes: sun_path is 108 bytes with the terminating NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    private final Path directory;

    public RunDirectory(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** {@code $BALANCE_RUNDIR} if set and not empty, else {@code /var/run/balance}. */
    public static RunDirectory fromEnvironment(Map<String, String> env) {
        String value = env.get(ENV);
        return new RunDirectory(value == null || value.isEmpty() ? DEFAULT : Path.of(value));
    }

    public Path directory() {
        return directory;
    }

    /** The socket of the instance listening on {@code port} with bind text {@code bindText}. */
    public Path socketPath(int port, String bindText) {
        return directory.resolve(socketName(port, bindText));
    }

    /** {@code balance.PORT.ADDR}; a bind text that cannot be part of a file name is refused. */
    static String socketName(int port, String bindText) {
        if (bindText.isEmpty() || bindText.indexOf('/') >= 0 || bindText.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("address [" + bindText + "] cannot name a control socket");
        }
        return "balance." + port + "." + bindText;
    }

    /** Why {@code socket} cannot be used as a Unix socket path, or null if it can. */
    public static String unusableReason(Path socket) {
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            return "control socket path is " + bytes + " bytes, longer than the " + MAX_SOCKET_PATH_BYTES
                    + " a Unix socket allows: " + socket;
        }
        return null;
    }
}
