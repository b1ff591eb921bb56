package org.balance.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.balance.balancing.Endpoint;
import org.balance.balancing.GroupType;
import org.balance.balancing.HashScheme;
import org.balance.balancing.Limits;
import org.balance.discovery.DnsLookup;
import org.balance.discovery.NameWatcher;
import org.balance.health.HealthConfig;
import org.balance.policy.PolicyConfig;
import org.balance.proxyprotocol.ProxyProtocolConfig;

/**
 * A proxy command line checked and resolved: everything the runtime needs, with no name left to look up.
 *
 * @param bindAddress   listen address, or null for the wildcard (dual-stack)
 * @param bindText      the -b word as given (names the control socket), or "0.0.0.0"
 * @param sourceAddress -B address for outgoing connections, or null
 * @param health        the health checks ({@link HealthConfig#NONE} without check options)
 * @param stats         where the statistics endpoint listens ({@code --stats}), or null when off
 * @param statsHosts    the names it answers to besides its own address and localhost: {@code --stats-host}, and the
 *                      name {@code --stats} gave, if any
 * @param drainTimeoutMillis how long a stop waits for sessions to end ({@code --drain-timeout}), or
 *                      {@link Options#DRAIN_FOREVER}
 * @param takeover      take the listening socket over from a running instance of the same port and address
 * @param proxyProtocol the PROXY protocol headers sent to channels and expected from clients
 *                      ({@link ProxyProtocolConfig#NONE} without those options)
 * @param hashScheme    how hash groups map a client to a channel ({@code --hash})
 * @param resolveMillis how often the channels given by name are resolved again ({@code --resolve}), 0 for never
 * @param dns           the DNS server that resolves the channels' names ({@code --dns}), or null for the system's
 * @param policy        source lists, the per-source limit and the session log ({@link PolicyConfig#NONE} without them)
 */
public record ProxyConfig(
        int port,
        InetAddress bindAddress,
        String bindText,
        InetAddress sourceAddress,
        boolean ipv6,
        boolean autodisable,
        boolean hashFailover,
        boolean debug,
        boolean foreground,
        boolean packetDump,
        int connectTimeoutSeconds,
        int idleTimeoutSeconds,
        List<GroupConfig> groups,
        HealthConfig health,
        InetSocketAddress stats,
        List<String> statsHosts,
        long drainTimeoutMillis,
        boolean takeover,
        ProxyProtocolConfig proxyProtocol,
        HashScheme hashScheme,
        long resolveMillis,
        InetSocketAddress dns,
        PolicyConfig policy) {

    /** One channel: where to, its maxc (0: none) and its weight (1 unless given; 0 takes no new session). */
    public record ChannelConfig(Endpoint endpoint, int maxConnections, int weight) {

        public ChannelConfig(Endpoint endpoint, int maxConnections) {
            this(endpoint, maxConnections, 1);
        }
    }

    public record GroupConfig(GroupType type, List<ChannelConfig> channels) {
    }

    /** This configuration, taking over the listening socket of a running instance or not ({@code --takeover}). */
    public ProxyConfig withTakeover(boolean takeOver) {
        return new ProxyConfig(port, bindAddress, bindText, sourceAddress, ipv6, autodisable, hashFailover, debug, foreground,
                packetDump, connectTimeoutSeconds, idleTimeoutSeconds, groups, health, stats, statsHosts, drainTimeoutMillis, takeOver,
                proxyProtocol, hashScheme, resolveMillis, dns, policy);
    }

    /** This configuration with {@code millis} as its drain timeout, unless it has one of its own. */
    public ProxyConfig withDefaultDrainTimeout(long millis) {
        if (drainTimeoutMillis != Options.DRAIN_FOREVER) {
            return this;
        }
        return new ProxyConfig(port, bindAddress, bindText, sourceAddress, ipv6, autodisable, hashFailover, debug, foreground,
                packetDump, connectTimeoutSeconds, idleTimeoutSeconds, groups, health, stats, statsHosts, millis, takeover,
                proxyProtocol, hashScheme, resolveMillis, dns, policy);
    }

    /** This configuration with other groups: the channels' names resolved again ({@code --resolve}). */
    public ProxyConfig withGroups(List<GroupConfig> newGroups) {
        return new ProxyConfig(port, bindAddress, bindText, sourceAddress, ipv6, autodisable, hashFailover, debug, foreground,
                packetDump, connectTimeoutSeconds, idleTimeoutSeconds, newGroups, health, stats, statsHosts, drainTimeoutMillis,
                takeover, proxyProtocol, hashScheme, resolveMillis, dns, policy);
    }

    /** The text the control socket is named after: the -b value, or 0.0.0.0 like the original. */
    public static String bindText(String bind) {
        return bind == null ? "0.0.0.0" : bind;
    }

    public static int listenPort(String word) throws UsageException {
        int port = Services.port(word);
        if (port < 0) {
            throw new UsageException("invalid port [" + word + "], exiting.", ExitStatus.USAGE);
        }
        return port;
    }

    /** Checks the grammar and resolves every address; errors name the offending word. */
    public static ProxyConfig from(Options o) throws UsageException {
        int port = listenPort(o.port());
        InetAddress bind = o.bindAddress() == null ? null : Resolver.resolve(o.bindAddress());
        InetAddress source = o.sourceAddress() == null ? null : Resolver.resolve(o.sourceAddress());

        Map<String, InetAddress> viaDns = o.dns() == null ? Map.of() : startUpDns(o.channelWords(), o.dns());
        List<GroupConfig> groups = new ArrayList<>();
        List<ChannelConfig> current = new ArrayList<>();
        for (String word : o.channelWords()) {
            GroupType separator = separator(word);
            if (separator != null) {
                if (current.isEmpty()) {
                    throw UsageException.usage("no channels in group " + groups.size() + " before [" + word + "]");
                }
                groups.add(new GroupConfig(separator, List.copyOf(current)));
                current.clear();
                if (groups.size() >= Limits.MAX_GROUPS) {
                    throw UsageException.usage("too many groups: at most " + Limits.MAX_GROUPS);
                }
                continue;
            }
            ChannelSpec spec = ChannelSpec.parse(word);
            int channelPort = port;
            if (spec.port() != null) {
                channelPort = Services.port(spec.port());
                if (channelPort < 0) {
                    throw UsageException.usage("invalid port [" + spec.port() + "] in channel [" + word + "]");
                }
            }
            InetAddress address = viaDns.get(spec.host());
            if (address == null) {
                address = Resolver.resolve(spec.host());
            }
            current.add(new ChannelConfig(Endpoint.of(spec.host(), address, channelPort), spec.maxConnections(), spec.weight()));
            if (current.size() > Limits.MAX_CHANNELS) {
                throw UsageException.usage("too many channels in group " + groups.size() + ": at most " + Limits.MAX_CHANNELS);
            }
        }
        if (!current.isEmpty()) {
            groups.add(new GroupConfig(GroupType.ROUND_ROBIN, List.copyOf(current)));
        }
        HealthConfig health = CheckOptions.health(o.checks(), groups, o.connectTimeoutSeconds());
        ProxyProtocolConfig proxyProtocol = proxyProtocol(o, groups);
        return new ProxyConfig(port, bind, bindText(o.bindAddress()), source, o.ipv6(), o.autodisable(), o.hashFailover(),
                o.debug(), o.foreground(), o.packetDump(), o.connectTimeoutSeconds(), o.idleTimeoutSeconds(),
                List.copyOf(groups), health, o.stats() == null ? null : statsAddress(o.stats()),
                statsHosts(o.stats(), o.statsHosts()), o.drainTimeoutMillis(), o.takeover(), proxyProtocol,
                o.hashScheme(), o.resolveMillis(), o.dns(), o.policy());
    }

    /**
     * {@code --dns}: the channels' host names resolved through that server (the hosts file first, as the system's
     * resolver does); a name it cannot resolve is an error, as without {@code --dns}. Address literals are left to
     * {@link Resolver}.
     */
    private static Map<String, InetAddress> startUpDns(List<String> words, InetSocketAddress server) throws UsageException {
        Set<String> names = new LinkedHashSet<>();
        for (String word : words) {
            if (separator(word) == null) {
                String host = ChannelSpec.parse(word).host();
                if (NameWatcher.isName(host) && Resolver.isHostName(host)) {
                    names.add(host);
                }
            }
        }
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, InetAddress> found = DnsLookup.startUp(names, server);
        for (String name : names) {
            if (found.get(name) == null) {
                throw new UsageException("unknown or invalid address [" + name + "] (asked " + server.getAddress().getHostAddress()
                        + " port " + server.getPort() + ")", ExitStatus.DATA_ERROR);
            }
        }
        return found;
    }

    /** The {@code --stats-host} names, and the name in {@code --stats NAME:PORT} (not an address): what the endpoint answers to. */
    static List<String> statsHosts(String stats, List<String> given) {
        List<String> names = new ArrayList<>(given);
        int colon = stats == null ? -1 : stats.lastIndexOf(':');
        if (colon > 0 && !stats.startsWith("[") && !stats.substring(0, colon).matches("[0-9.]+")) {
            names.add(stats.substring(0, colon));
        }
        return List.copyOf(names);
    }

    /** {@code --send-proxy}, {@code --send-proxy-v2} and {@code --accept-proxy}; a group or channel named must exist. */
    private static ProxyProtocolConfig proxyProtocol(Options o, List<GroupConfig> groups) throws UsageException {
        for (ProxyProtocolConfig.Send s : o.sendProxy()) {
            String problem = CheckOptions.missing(s.scope(), groups);
            if (problem != null) {
                throw UsageException.usage("invalid --send-proxy" + (s.version() == ProxyProtocolConfig.Version.V2 ? "-v2" : "")
                        + " [" + (s.scope().isGroup() ? "group=" + s.scope().group()
                        : "channel=" + s.scope().group() + "." + s.scope().channel()) + "]: " + problem);
            }
        }
        try {
            return ProxyProtocolConfig.of(o.sendProxy(), o.acceptProxy());
        } catch (ProxyProtocolConfig.SpecException e) {
            throw UsageException.usage(e.getMessage());
        }
    }

    /**
     * The type of the group a separator word ends: {@code !} round robin, {@code %} hash, {@code -} least
     * connections; null for any other word.
     */
    static GroupType separator(String word) {
        return switch (word) {
            case "!" -> GroupType.ROUND_ROBIN;
            case "%" -> GroupType.HASH;
            case "-" -> GroupType.LEAST_CONNECTIONS;
            default -> null;
        };
    }

    /**
     * {@code --stats [ADDRESS:]PORT}: the port alone listens on the loopback address only; an address (a name,
     * IPv4, or IPv6 in brackets) must be given to listen anywhere else ({@code 0.0.0.0:9110}, {@code [::]:9110}).
     */
    static InetSocketAddress statsAddress(String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? null : value.substring(0, colon);
        String portText = value.substring(colon + 1);
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean number = !portText.isEmpty() && portText.length() <= 5 && portText.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!number || Integer.parseInt(portText) > 65535 || (host != null && (host.isEmpty() || host.indexOf(':') >= 0
                && !value.startsWith("[")))) {
            throw UsageException.usage("invalid --stats [" + value + "]: [address:]port, e.g. 9110 or 0.0.0.0:9110");
        }
        InetAddress address = host == null ? InetAddress.getLoopbackAddress() : Resolver.resolve(host);
        return new InetSocketAddress(address, Integer.parseInt(portText));
    }
}
