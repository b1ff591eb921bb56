package org.balance.discovery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.balance.balancing.Endpoint;
import org.balance.cli.ProxyConfig;
import org.balance.log.Log;

/**
 * {@code --resolve SEC}: resolves the channels given by name again every SEC (sooner when a record's TTL is shorter,
 * never more often than once a second) and, when a name's address changed, hands the configuration with the new
 * addresses to the runtime's one apply path ({@link Target#apply}): the channel moves there and takes new sessions
 * at the new address, sessions in progress stay on the old one. A name still resolving to the address in use (among
 * others: round robin DNS) keeps it. A name that stops resolving keeps its last address, logged once, and once more
 * when it resolves again. It owns no socket of the relay; its rounds run on a thread of their own.
 */
public final class NameWatcher implements AutoCloseable {
    /** The shortest time between two rounds, whatever the TTL says. */
    static final long FLOOR_MILLIS = 1000;

    /** The instance whose channels are watched. */
    public interface Target {
        /** The configuration in force. */
        ProxyConfig config();

        /** Applies {@code change} to the configuration in force through the one apply path of start-up and reload. */
        void apply(UnaryOperator<ProxyConfig> change);
    }

    private final NameLookup lookup;
    private final long everyMillis;
    private final Target target;
    private final Log log;
    /** Names that did not resolve in the last round (logged once). Only the round's thread touches it. */
    private final Set<String> failing = new HashSet<>();
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    public NameWatcher(NameLookup lookup, long everyMillis, Target target, Log log) {
        this.lookup = lookup;
        this.everyMillis = everyMillis;
        this.target = target;
        this.log = log;
    }

    /** Starts the rounds: the first after {@code everyMillis} (start-up has just resolved every name). */
    public synchronized void start() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "balance-resolve");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        timer.schedule(this::run, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        long next = everyMillis;
        try {
            next = round();
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("resolve: " + e);
            }
        }
        synchronized (this) {
            if (!closed) {
                timer.schedule(this::run, next, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One round: resolves every name of the configuration in force, applies what moved; returns the millis to the next. */
    long round() {
        ProxyConfig config = target.config();
        Map<String, List<InetAddress>> inUse = names(config);
        if (inUse.isEmpty()) {
            return everyMillis;
        }
        Map<String, NameLookup.Answer> answers = lookup.lookup(inUse.keySet());
        if (closed) {
            return everyMillis;
        }
        long next = everyMillis;
        Map<String, List<InetAddress>> resolved = new LinkedHashMap<>();
        List<String> moves = new ArrayList<>();
        for (Map.Entry<String, List<InetAddress>> e : inUse.entrySet()) {
            String name = e.getKey();
            NameLookup.Answer a = answers.get(name);
            if (a == null || !a.resolved()) {
                if (failing.add(name)) {
                    log.notice("resolve: " + name + " does not resolve (" + (a == null ? "no answer" : a.failure())
                            + "); its channels keep " + text(e.getValue()));
                }
                continue;
            }
            if (failing.remove(name)) {
                log.notice("resolve: " + name + " resolves again (" + text(a.addresses()) + ")");
            }
            if (a.ttlSeconds() >= 0) {
                next = Math.min(next, Math.max(FLOOR_MILLIS, a.ttlSeconds() * 1000));
            }
            resolved.put(name, a.addresses());
            if (!a.addresses().containsAll(e.getValue())) {
                moves.add("resolve: " + name + " now " + a.addresses().get(0).getHostAddress() + " (was "
                        + text(e.getValue()) + "): new sessions go there, sessions in progress stay");
            }
        }
        if (!moves.isEmpty()) {
            target.apply(c -> readdress(c, resolved));
            moves.forEach(log::notice);
        }
        return next;
    }

    /** The host names (not address literals) of the channels of {@code config}, each with the addresses in use. */
    static Map<String, List<InetAddress>> names(ProxyConfig config) {
        Map<String, List<InetAddress>> names = new LinkedHashMap<>();
        for (ProxyConfig.GroupConfig g : config.groups()) {
            for (ProxyConfig.ChannelConfig c : g.channels()) {
                String host = c.endpoint().host();
                if (isName(host)) {
                    List<InetAddress> in = names.computeIfAbsent(host, h -> new ArrayList<>());
                    InetAddress a = c.endpoint().address().getAddress();
                    if (!in.contains(a)) {
                        in.add(a);
                    }
                }
            }
        }
        return names;
    }

    /** A host word that DNS can answer: not an IPv4 or IPv6 literal. */
    public static boolean isName(String host) {
        if (host.startsWith("[") || host.indexOf(':') >= 0) {
            return false;
        }
        return !host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    }

    /**
     * {@code config} with every channel whose name resolved to addresses without its own moved to the first of them;
     * the same object when none moved. Pure: the runtime runs it on the configuration in force, under its lock.
     */
    public static ProxyConfig readdress(ProxyConfig config, Map<String, List<InetAddress>> resolved) {
        boolean changed = false;
        List<ProxyConfig.GroupConfig> groups = new ArrayList<>();
        for (ProxyConfig.GroupConfig g : config.groups()) {
            List<ProxyConfig.ChannelConfig> channels = new ArrayList<>();
            for (ProxyConfig.ChannelConfig c : g.channels()) {
                Endpoint e = c.endpoint();
                List<InetAddress> now = resolved.get(e.host());
                if (now != null && !now.isEmpty() && !now.contains(e.address().getAddress())) {
                    e = new Endpoint(e.host(), new InetSocketAddress(now.get(0), e.port()));
                    changed = true;
                }
                channels.add(e == c.endpoint() ? c : new ProxyConfig.ChannelConfig(e, c.maxConnections(), c.weight()));
            }
            groups.add(new ProxyConfig.GroupConfig(g.type(), List.copyOf(channels)));
        }
        return changed ? config.withGroups(List.copyOf(groups)) : config;
    }

    private static String text(List<InetAddress> addresses) {
        Set<String> s = new LinkedHashSet<>();
        addresses.forEach(a -> s.add(a.getHostAddress()));
        return String.join(" ", s);
    }

    /** Stops the rounds (a round under way finishes without applying) and closes the lookup. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (timer != null) {
                timer.shutdownNow();
            }
        }
        lookup.close();
    }
}
