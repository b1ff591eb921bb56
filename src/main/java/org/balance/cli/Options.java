package org.balance.cli;

import java.util.List;

/**
 * The command line as given, before any name is resolved. {@code operands} are the port followed by the
 * channel words and separators ({@code !} and {@code %}). {@code checks} are the health check options
 * ({@code -m} and the long ones) in the order given. {@code stats} is the {@code --stats} value or null.
 * {@code requested} is {@link Mode#HELP} or
 * {@link Mode#VERSION} for {@code --help} and {@code --version}, null otherwise.
 */
public record Options(
        boolean autodisable,
        String bindAddress,
        String sourceAddress,
        String command,
        boolean debug,
        boolean foreground,
        boolean hashFailover,
        boolean interactive,
        boolean memoryMap,
        boolean packetDump,
        int connectTimeoutSeconds,
        int idleTimeoutSeconds,
        boolean ipv6,
        List<String> operands,
        List<CheckOptions.Given> checks,
        String stats,
        Mode requested) {

    public static final int DEFAULT_CONNECT_TIMEOUT = 5;

    public enum Mode { PROXY, CONTROL_SHELL, CONTROL_COMMAND, HELP, VERSION }

    /** {@code --help} or {@code --version}: nothing else of the command line counts. */
    static Options request(Mode mode) {
        return new Options(false, null, null, null, false, false, false, false, false, false,
                DEFAULT_CONNECT_TIMEOUT, 0, false, List.of(), List.of(), null, mode);
    }

    public Mode mode() {
        if (requested != null) {
            return requested;
        }
        if (command != null) {
            return Mode.CONTROL_COMMAND;
        }
        return interactive ? Mode.CONTROL_SHELL : Mode.PROXY;
    }

    /** The listen port as written (number or service name). */
    public String port() {
        return operands.get(0);
    }

    public List<String> channelWords() {
        return operands.subList(1, operands.size());
    }
}
