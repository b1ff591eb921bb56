package org.balance.cli;

import java.util.List;

/**
 * The command line as given, before any name is resolved. {@code operands} are the port followed by the
 * channel words and separators ({@code !} and {@code %}). {@code checks} are the health check options
 * ({@code -m} and the long ones) in the order given.
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
        List<CheckOptions.Given> checks) {

    public static final int DEFAULT_CONNECT_TIMEOUT = 5;

    public enum Mode { PROXY, CONTROL_SHELL, CONTROL_COMMAND }

    public Mode mode() {
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
