package org.balance.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.balance.balancing.HashScheme;
import org.balance.health.CheckSpec;
import org.balance.policy.Cidr;
import org.balance.policy.PolicyConfig;
import org.balance.proxyprotocol.ProxyProtocolConfig;

/**
 * Parses the original's options like glibc getopt with the option string {@code "c:b:B:t:T:m:adfpiHM6"}:
 * letters may be clustered ({@code -fp}), values may be attached ({@code -t5}) or follow, options may stand
 * anywhere before {@code --}, and everything else is an operand in its original order. {@code -m} is
 * balance.fm's health check option. Long options are read like getopt_long reads them: {@code --name=value} or
 * {@code --name value}, and any unambiguous abbreviation of the name ({@code --he}, {@code --check-i}). The
 * health check options ({@link CheckOptions#LONG}) are collected, {@code --stats} names the statistics endpoint;
 * the first of {@code --help},
 * {@code --version} or a bad option decides, whatever follows.
 */
public final class CommandLine {
    private static final String FLAGS = "adfpiHM6";
    private static final String WITH_VALUE = "cbBtTm";
    /** {@code --stats [ADDRESS:]PORT}: the statistics endpoint. */
    static final String STATS = "stats";
    /** {@code --stats-host NAME}, repeatable: a name the statistics endpoint answers to besides its address. */
    static final String STATS_HOST = "stats-host";
    /** {@code --drain-timeout SEC}: how long a stop waits for sessions to end. */
    static final String DRAIN_TIMEOUT = "drain-timeout";
    /** {@code --warmup SEC}: once ready and before accepting, sessions through the relay on loopback until the JIT is done, at most SEC. */
    static final String WARMUP = "warmup";
    /** {@code --takeover}: take the listening socket over from the running instance of the same port. */
    static final String TAKEOVER = "takeover";
    /** {@code --config FILE}: serve every command line of FILE in this process; SIGHUP reads it again. */
    static final String CONFIG = "config";
    /** {@code --config-test FILE}: check FILE as {@code --config} would read it, and say so; serve nothing. */
    static final String CONFIG_TEST = "config-test";
    /** {@code --send-proxy[=SPEC]}: a PROXY protocol v1 header at the start of each connection to a channel. */
    static final String SEND_PROXY = "send-proxy";
    /** {@code --send-proxy-v2[=SPEC]}: the same with a v2 (binary) header. */
    static final String SEND_PROXY_V2 = "send-proxy-v2";
    /** {@code --accept-proxy}: every client connection starts with a PROXY protocol header (v1 or v2). */
    static final String ACCEPT_PROXY = "accept-proxy";
    /** {@code --hash classic|maglev}: how hash groups map a client to a channel. */
    static final String HASH = "hash";
    /** {@code --resolve SEC}: resolve the channels given by name again every SEC seconds. */
    static final String RESOLVE = "resolve";
    /** {@code --dns ADDR[:PORT]}: the DNS server for the channels' names instead of the system's. */
    static final String DNS = "dns";
    /** {@code --resolve}'s bounds: at most once a second, at least once a day. */
    private static final long MIN_RESOLVE_MILLIS = 1000, MAX_RESOLVE_MILLIS = 86_400_000;
    /** {@code --source-limit N}: at most N sessions at once per client address (IPv6: per /64). */
    static final String SOURCE_LIMIT = "source-limit";
    /** {@code --allow CIDR}, repeatable: only clients in these blocks are served. */
    static final String ALLOW = "allow";
    /** {@code --deny CIDR}, repeatable: clients in these blocks are refused (deny wins over allow). */
    static final String DENY = "deny";
    /** {@code --log-sessions}: one line per session when it ends. */
    static final String LOG_SESSIONS = "log-sessions";
    /** The long options that take no value. */
    private static final List<String> LONG_FLAGS = List.of(TAKEOVER, ACCEPT_PROXY, LOG_SESSIONS);
    /** The long options whose value is the next word, or attached with '='. */
    private static final List<String> LONG_WITH_VALUE = List.of(STATS, STATS_HOST, DRAIN_TIMEOUT, WARMUP, CONFIG,
            CONFIG_TEST, HASH, RESOLVE, DNS, SOURCE_LIMIT, ALLOW, DENY);
    private static final List<String> LONG = longOptions();
    /** Upper bound for -t and -T: a day is far more than any sane timeout, and the value fits a timer. */
    private static final int MAX_TIMEOUT_SECONDS = 86_400;

    private CommandLine() {
    }

    private static List<String> longOptions() {
        List<String> names = new ArrayList<>(List.of("help", "version", SEND_PROXY, SEND_PROXY_V2));
        names.addAll(LONG_FLAGS);
        names.addAll(LONG_WITH_VALUE);
        names.addAll(CheckOptions.LONG);
        return List.copyOf(names);
    }

    public static Options parse(String... args) throws UsageException {
        boolean autodisable = false, debug = false, foreground = false, hashFailover = false;
        boolean interactive = false, memoryMap = false, packetDump = false, ipv6 = false;
        String bind = null, source = null, command = null, stats = null, config = null;
        boolean takeover = false, configTest = false, acceptProxy = false, logSessions = false;
        int sourceLimit = 0;
        List<Cidr> allow = new ArrayList<>();
        List<Cidr> deny = new ArrayList<>();
        List<ProxyProtocolConfig.Send> sendProxy = new ArrayList<>();
        long drainTimeout = Options.DRAIN_FOREVER;
        long warmup = 0;
        HashScheme hashScheme = HashScheme.CLASSIC;
        long resolveMillis = 0;
        InetSocketAddress dns = null;
        int connectTimeout = Options.DEFAULT_CONNECT_TIMEOUT, idleTimeout = 0;
        List<String> operands = new ArrayList<>();
        List<CheckOptions.Given> checks = new ArrayList<>();
        List<String> statsHosts = new ArrayList<>();

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                for (i++; i < args.length; i++) {
                    operands.add(args[i]);
                }
                break;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                operands.add(arg);
                continue;
            }
            if (arg.startsWith("--")) {
                String name = longName(arg);
                Options.Mode requested = requested(name, arg);
                if (requested != null) {
                    return Options.request(requested);
                }
                if (LONG_FLAGS.contains(name)) {
                    if (arg.indexOf('=') >= 0) {
                        throw UsageException.usage("option '--" + name + "' doesn't allow an argument");
                    }
                    switch (name) {
                        case TAKEOVER -> takeover = true;
                        case ACCEPT_PROXY -> acceptProxy = true;
                        default -> logSessions = true;
                    }
                    continue;
                }
                if (name.equals(SEND_PROXY) || name.equals(SEND_PROXY_V2)) {
                    sendProxy.add(sendProxy(name, arg));
                    continue;
                }
                if (LONG_WITH_VALUE.contains(name)) {
                    String value;
                    if (arg.indexOf('=') >= 0) {
                        value = arg.substring(arg.indexOf('=') + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw UsageException.usage("option '--" + name + "' requires an argument");
                    }
                    switch (name) {
                        case STATS -> stats = value;
                        case STATS_HOST -> statsHosts.add(statsHost(value));
                        case HASH -> hashScheme = hashScheme(value);
                        case RESOLVE -> resolveMillis = resolveInterval(value);
                        case DNS -> dns = dnsServer(value);
                        case SOURCE_LIMIT -> sourceLimit = sourceLimit(value);
                        case ALLOW -> allow.add(cidr(ALLOW, value));
                        case DENY -> deny.add(cidr(DENY, value));
                        case CONFIG -> config = value;
                        case CONFIG_TEST -> {
                            config = value;
                            configTest = true;
                        }
                        case WARMUP -> warmup = millis(value, WARMUP);
                        default -> drainTimeout = millis(value, DRAIN_TIMEOUT);
                    }
                    continue;
                }
                i = checkOption(args, i, name, checks);
                continue;
            }
            for (int k = 1; k < arg.length(); k++) {
                char letter = arg.charAt(k);
                if (FLAGS.indexOf(letter) >= 0) {
                    switch (letter) {
                        case 'a' -> autodisable = true;
                        case 'd' -> debug = true;
                        case 'f' -> foreground = true;
                        case 'p' -> packetDump = true;
                        case 'i' -> interactive = true;
                        case 'H' -> hashFailover = true;
                        case 'M' -> memoryMap = true;
                        case '6' -> ipv6 = true;
                        default -> throw new IllegalStateException("flag " + letter);
                    }
                    continue;
                }
                if (WITH_VALUE.indexOf(letter) < 0) {
                    throw UsageException.usage("invalid option -- '" + printable(letter) + "'");
                }
                String value;
                if (k + 1 < arg.length()) {
                    value = arg.substring(k + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw UsageException.usage("option requires an argument -- '" + letter + "'");
                }
                switch (letter) {
                    case 'c' -> command = value;
                    case 'b' -> bind = value;
                    case 'B' -> source = value;
                    case 't' -> connectTimeout = seconds(value, "connect timeout");
                    case 'T' -> idleTimeout = seconds(value, "idle timeout");
                    case 'm' -> checks.add(new CheckOptions.Given("m", value));
                    default -> throw new IllegalStateException("option " + letter);
                }
                break;
            }
        }

        Options options = new Options(autodisable, bind, source, command, debug, foreground, hashFailover,
                interactive, memoryMap, packetDump, connectTimeout, idleTimeout, ipv6, List.copyOf(operands), List.copyOf(checks),
                stats, List.copyOf(statsHosts), drainTimeout, takeover, config, configTest, List.copyOf(sendProxy), acceptProxy,
                hashScheme, warmup, resolveMillis, dns, PolicyConfig.of(allow, deny, sourceLimit, logSessions), null);
        if (options.mode() == Options.Mode.SERVICE || options.mode() == Options.Mode.CONFIG_TEST) {
            if (config.isEmpty()) {
                throw UsageException.usage("option '--" + (configTest ? CONFIG_TEST : CONFIG) + "' needs a file name");
            }
            if (!operands.isEmpty()) {
                throw UsageException.usage("--" + CONFIG + " takes the port and channels from the file, not ["
                        + String.join(" ", operands) + "]");
            }
        } else if (options.mode() == Options.Mode.PROXY) {
            if (operands.isEmpty()) {
                throw UsageException.usage("missing port and channels");
            }
            if (operands.size() < 2) {
                throw UsageException.usage("at least one channel must be specified");
            }
        } else if (operands.size() != 1) {
            throw UsageException.usage(operands.isEmpty()
                    ? "missing port"
                    : "-i and -c take only the port, not [" + String.join(" ", operands.subList(1, operands.size())) + "]");
        }
        if (bind != null && bind.isEmpty()) {
            throw new UsageException("unknown or invalid address []", ExitStatus.DATA_ERROR);
        }
        return options;
    }

    /** {@code --source-limit N}: a whole number from 1 to 100000. */
    static int sourceLimit(String value) throws UsageException {
        boolean number = !value.isEmpty() && value.length() <= 6 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        int n = number ? Integer.parseInt(value) : -1;
        if (n < PolicyConfig.MIN_SOURCE_LIMIT || n > PolicyConfig.MAX_SOURCE_LIMIT) {
            throw UsageException.usage("invalid --" + SOURCE_LIMIT + " [" + value + "]: sessions per client address, "
                    + PolicyConfig.MIN_SOURCE_LIMIT + " to " + PolicyConfig.MAX_SOURCE_LIMIT);
        }
        return n;
    }

    /** {@code --allow CIDR} or {@code --deny CIDR}: an IPv4 or IPv6 address, with or without a prefix length. */
    static Cidr cidr(String option, String value) throws UsageException {
        try {
            return Cidr.parse(value);
        } catch (IllegalArgumentException e) {
            throw UsageException.usage("invalid --" + option + " [" + value + "]: " + e.getMessage()
                    + "; an address or address/prefix, e.g. 10.0.0.0/8 or 2001:db8::/32");
        }
    }

    /** The long option's full name, from the name or a prefix of it that only one option has. */
    private static String longName(String arg) throws UsageException {
        int equals = arg.indexOf('=');
        String written = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
        List<String> candidates = new ArrayList<>();
        for (String option : LONG) {
            if (option.equals(written)) {
                return option;
            }
            if (!written.isEmpty() && option.startsWith(written)) {
                candidates.add(option);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw UsageException.usage("unrecognized option '" + arg + "'");
        }
        StringBuilder message = new StringBuilder("option '" + arg + "' is ambiguous; possibilities:");
        candidates.forEach(c -> message.append(" '--").append(c).append('\''));
        throw UsageException.usage(message.toString());
    }

    /** {@link Options.Mode#HELP} or {@link Options.Mode#VERSION} for {@code --help} and {@code --version}, else null. */
    private static Options.Mode requested(String name, String arg) throws UsageException {
        Options.Mode mode = switch (name) {
            case "help" -> Options.Mode.HELP;
            case "version" -> Options.Mode.VERSION;
            default -> null;
        };
        if (mode != null && arg.indexOf('=') >= 0) {
            throw UsageException.usage("option '--" + name + "' doesn't allow an argument");
        }
        return mode;
    }

    /** Collects the check option at {@code args[i]} and its value; returns the index of the last word it used. */
    private static int checkOption(String[] args, int i, String name, List<CheckOptions.Given> checks)
            throws UsageException {
        String arg = args[i];
        int equals = arg.indexOf('=');
        String value;
        if (equals >= 0) {
            value = arg.substring(equals + 1);
        } else if (CheckOptions.optionalValue(name)) {
            value = null;
        } else if (i + 1 < args.length) {
            value = args[++i];
        } else {
            throw UsageException.usage("option '--" + name + "' requires an argument");
        }
        checks.add(new CheckOptions.Given(name, value));
        return i;
    }

    /** {@code --stats-host}: a host name or address as clients write it before the port in their Host header. */
    private static String statsHost(String value) throws UsageException {
        if (!value.matches("[A-Za-z0-9._-]+\\.?|\\[[0-9A-Fa-f:.]+\\]")) {
            throw UsageException.usage("invalid --stats-host [" + value + "]: a host name or address, e.g. stats.example.com");
        }
        return value;
    }

    /**
     * {@code --send-proxy[=SPEC]} or {@code --send-proxy-v2[=SPEC]}: the value, if any, is attached with {@code =}
     * (as {@code --check}'s) and names where the header goes ({@link ProxyProtocolConfig#parse}).
     */
    private static ProxyProtocolConfig.Send sendProxy(String name, String arg) throws UsageException {
        int equals = arg.indexOf('=');
        String value = equals < 0 ? null : arg.substring(equals + 1);
        try {
            return ProxyProtocolConfig.parse(value,
                    name.equals(SEND_PROXY_V2) ? ProxyProtocolConfig.Version.V2 : ProxyProtocolConfig.Version.V1);
        } catch (ProxyProtocolConfig.SpecException e) {
            throw UsageException.usage("invalid --" + name + " [" + value + "]: " + e.getMessage());
        }
    }

    /**
     * {@code --drain-timeout} and {@code --warmup}: seconds as the check options take them ({@code 30}, {@code 0.5},
     * {@code 500ms}), in milliseconds.
     */
    private static long millis(String value, String option) throws UsageException {
        try {
            return CheckSpec.seconds(value);
        } catch (CheckSpec.SpecException e) {
            throw UsageException.usage("invalid --" + option + " [" + value + "]: seconds from " + CheckSpec.SECONDS_HINT);
        }
    }

    /** {@code --resolve}: seconds as the check options take them, from 1 to a day. */
    static long resolveInterval(String value) throws UsageException {
        try {
            long millis = CheckSpec.seconds(value);
            if (millis >= MIN_RESOLVE_MILLIS && millis <= MAX_RESOLVE_MILLIS) {
                return millis;
            }
        } catch (CheckSpec.SpecException e) {
            // the message below
        }
        throw UsageException.usage("invalid --" + RESOLVE + " [" + value + "]: seconds from 1 to 86400, e.g. 30, 1.5 or 2000ms");
    }

    /**
     * {@code --dns ADDR[:PORT]}: an IPv4 address, or an IPv6 one (in brackets when a port follows), and the port,
     * 53 unless given. No name: the server is what resolves names.
     */
    static InetSocketAddress dnsServer(String value) throws UsageException {
        String host = value;
        String port = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            host = close < 0 ? "" : value.substring(1, close);
            String rest = close < 0 ? "x" : value.substring(close + 1);
            if (!rest.isEmpty()) {
                port = rest.startsWith(":") ? rest.substring(1) : "x";
            }
        } else if (value.indexOf(':') == value.lastIndexOf(':') && value.indexOf(':') >= 0) {
            host = value.substring(0, value.indexOf(':'));
            port = value.substring(value.indexOf(':') + 1);
        }
        boolean ipv4 = host.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
        boolean ipv6 = host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+");
        boolean portOk = port == null || (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')
                && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535);
        if ((ipv4 || ipv6) && portOk) {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port == null ? 53 : Integer.parseInt(port));
            } catch (UnknownHostException e) {
                // a malformed IPv6 literal: the message below
            }
        }
        throw UsageException.usage("invalid --" + DNS + " [" + value + "]: an IP address and optional port, e.g. 127.0.0.1:5353 or [::1]:53");
    }

    private static HashScheme hashScheme(String value) throws UsageException {
        HashScheme scheme = HashScheme.of(value);
        if (scheme == null) {
            throw UsageException.usage("invalid --" + HASH + " [" + value + "]: classic or maglev");
        }
        return scheme;
    }

    private static int seconds(String value, String what) throws UsageException {
        if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_TIMEOUT_SECONDS) {
                return n;
            }
        }
        throw UsageException.usage("invalid " + what + " [" + value + "]: seconds from 1 to " + MAX_TIMEOUT_SECONDS);
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
