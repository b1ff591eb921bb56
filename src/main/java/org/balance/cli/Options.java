package org.balance.cli;

import java.util.List;
import org.balance.balancing.HashScheme;
import org.balance.policy.PolicyConfig;
import org.balance.proxyprotocol.ProxyProtocolConfig;

/**
 * The command line as given, before any name is resolved. {@code operands} are the port followed by the
 * channel words and separators ({@code !} and {@code %}). {@code checks} are the health check options
 * ({@code -m} and the long ones) in the order given. {@code stats} is the {@code --stats} value or null;
 * {@code statsHosts} the {@code --stats-host} names.
 * {@code drainTimeoutMillis} bounds the wait for sessions when the instance stops ({@code --drain-timeout}), -1 for
 * no bound. {@code takeover} asks to take the listening sockets over from a running instance ({@code --takeover}).
 * {@code configFile} is the {@code --config} file (every command line in it served by this process), or the
 * {@code --config-test} file ({@code configTest}: only checked), or null.
 * {@code sendProxy} are the {@code --send-proxy} and {@code --send-proxy-v2} options in the order given,
 * {@code acceptProxy} is {@code --accept-proxy}.
 * {@code hashScheme} is how hash groups pick a channel ({@code --hash classic|maglev}).
 * {@code warmupMillis} is the longest the process may run sessions through its relay before it serves
 * ({@code --warmup}), 0 for none.
 * {@code resolveMillis} is how often channel names are resolved again ({@code --resolve}, 0: never), {@code dns}
 * the server that resolves them ({@code --dns}) or null for the system's.
 * {@code policy} is {@code --allow}, {@code --deny}, {@code --source-limit} and {@code --log-sessions}.
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
        List<String> statsHosts,
        long drainTimeoutMillis,
        boolean takeover,
        String configFile,
        boolean configTest,
        List<ProxyProtocolConfig.Send> sendProxy,
        boolean acceptProxy,
        HashScheme hashScheme,
        long warmupMillis,
        long resolveMillis,
        java.net.InetSocketAddress dns,
        PolicyConfig policy,
        Mode requested) {

    public static final int DEFAULT_CONNECT_TIMEOUT = 5;

    public enum Mode { PROXY, SERVICE, CONFIG_TEST, CONTROL_SHELL, CONTROL_COMMAND, HELP, VERSION }

    /** No {@code --drain-timeout}: a stop waits for every session to end, as the original's sessions outlived it. */
    public static final long DRAIN_FOREVER = -1;

    /** {@code --help} or {@code --version}: nothing else of the command line counts. */
    static Options request(Mode mode) {
        return new Options(false, null, null, null, false, false, false, false, false, false,
                DEFAULT_CONNECT_TIMEOUT, 0, false, List.of(), List.of(), null, List.of(), DRAIN_FOREVER, false, null, false,
                List.of(), false, HashScheme.CLASSIC, 0, 0, null, PolicyConfig.NONE, mode);
    }

    public Mode mode() {
        if (requested != null) {
            return requested;
        }
        if (command != null) {
            return Mode.CONTROL_COMMAND;
        }
        if (interactive) {
            return Mode.CONTROL_SHELL;
        }
        if (configFile == null) {
            return Mode.PROXY;
        }
        return configTest ? Mode.CONFIG_TEST : Mode.SERVICE;
    }

    /** The listen port as written (number or service name). */
    public String port() {
        return operands.get(0);
    }

    public List<String> channelWords() {
        return operands.subList(1, operands.size());
    }
}
