package org.balance.health;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;
import org.balance.log.Log;
import org.balance.relay.Transport;

/**
 * The health checks of a running instance (balance.fm's "monitor"): one {@link ChannelMonitor} per checked
 * channel, all on the proxy's own event loops, first checks spread evenly over the interval with a random
 * offset so that many channels never fire at once. Keeps, for {@code monitor show}, when each channel's
 * state last changed and why; and hears about the operator's switches and autodisable, so that every state
 * change is logged once with its reason.
 *
 * <p>Without check options the instance has {@link #none()}: nothing runs and {@code show} prints the
 * original's S column.
 */
public final class HealthMonitor {
    private static final HealthMonitor NONE = new HealthMonitor(HealthConfig.NONE, null, null, null, null, null, null);

    private volatile HealthConfig config;
    private final Routing routing;
    private final EventLoopGroup loops;
    private final Transport transport;
    private InetAddress source;
    private Checker checker;
    private final Log log;
    /** Monitors by channel; Destination has identity equality. Changed under this object's lock. */
    private final Map<Destination, ChannelMonitor> monitors = new ConcurrentHashMap<>();
    /** When each channel's state last changed, wall clock. */
    private final Map<Destination, Long> changes = new ConcurrentHashMap<>();
    private final long startedMillis = System.currentTimeMillis();
    private volatile boolean enabled;

    private HealthMonitor(HealthConfig config, Routing routing, EventLoopGroup loops, Transport transport,
                          InetAddress source, Checker checker, Log log) {
        this.config = config;
        this.routing = routing;
        this.loops = loops;
        this.transport = transport;
        this.source = source;
        this.checker = checker;
        this.log = log;
    }

    /** No checks configured. */
    public static HealthMonitor none() {
        return NONE;
    }

    /**
     * The checks {@code config} gives the channels of {@code routing}, to run on {@code loops}, connecting from
     * {@code source} ({@code -B}) if not null; they begin with {@link #start()}. Returns {@link #none()} if
     * nothing is configured.
     */
    public static HealthMonitor of(HealthConfig config, Routing routing, EventLoopGroup loops, Transport transport,
                                   InetAddress source, Log log) {
        if (!config.isConfigured()) {
            return NONE;
        }
        return forRuntime(config, routing, loops, transport, source, log);
    }

    /**
     * As {@link #of}, but a monitor of its own even without checks, so that a reload can bring checks in later
     * ({@link #reconfigure}).
     */
    public static HealthMonitor forRuntime(HealthConfig config, Routing routing, EventLoopGroup loops, Transport transport,
                                           InetAddress source, Log log) {
        HealthMonitor m = new HealthMonitor(config, routing, loops, transport, source, new Checker(transport, source), log);
        if (config.isConfigured()) {
            m.forEachChannel(m::monitorOf);
        }
        return m;
    }

    /**
     * A reload: the checks {@code newConfig} gives the channels the routing has now, connecting from {@code newSource}.
     * A channel whose checks did not change (same plan, same place, same source) keeps its monitor, with its verdict
     * and counts; a changed one gets a new monitor that starts from the channel's state (one taken out needs its rise
     * passes); a channel that is no longer checked, or no longer there, loses its monitor, and one its checks had
     * taken out comes back (nothing says any more that it is down), as with {@code monitor disable}. Checks that
     * were paused ({@code monitor disable}) stay paused.
     */
    public synchronized void reconfigure(HealthConfig newConfig, InetAddress newSource) {
        if (this == NONE) {
            throw new IllegalStateException("the instance without checks cannot be reconfigured");
        }
        boolean wasConfigured = config.isConfigured();
        boolean sameSource = java.util.Objects.equals(source, newSource);
        Checker oldChecker = checker;
        if (!sameSource) {
            source = newSource;
            checker = new Checker(transport, newSource);
        }
        config = newConfig;
        Map<Destination, ChannelMonitor> next = new IdentityHashMap<>();
        List<ChannelMonitor> fresh = new ArrayList<>();
        List<ChannelMonitor> inOrder = new ArrayList<>(); // channel order: first checks spread in it, as at start
        if (newConfig.isConfigured()) {
            forEachChannel((g, c, d) -> {
                CheckPlan plan = newConfig.plan(g, c);
                if (plan == null || next.containsKey(d)) {
                    return;
                }
                ChannelMonitor old = monitors.get(d);
                if (old != null && sameSource && old.group == g && old.channel == c && old.plan.equals(plan)) {
                    next.put(d, old);
                    inOrder.add(old);
                } else {
                    ChannelMonitor cm = new ChannelMonitor(g, c, d, plan, loops.next(), checker, this, log);
                    next.put(d, cm);
                    fresh.add(cm);
                    inOrder.add(cm);
                    changes.putIfAbsent(d, System.currentTimeMillis());
                }
            });
        }
        monitors.forEach((d, old) -> {
            if (next.get(d) != old) {
                // replaced: the new monitor judges from the channel's state; gone: nothing checks it any more
                old.stop(!next.containsKey(d));
            }
        });
        monitors.clear();
        monitors.putAll(next);
        if (!sameSource) {
            oldChecker.close();
        }
        if (!newConfig.isConfigured()) {
            enabled = false;
        } else if (!wasConfigured) {
            enabled = true;
            spread(inOrder);
        } else if (enabled) {
            spread(fresh);
        }
    }

    /** Starts checking. */
    public synchronized void start() {
        if (!isConfigured() || enabled) {
            return;
        }
        enabled = true;
        List<ChannelMonitor> all = new ArrayList<>();
        forEachChannel((g, c, d) -> {
            ChannelMonitor cm = monitors.get(d);
            if (cm != null) {
                all.add(cm);
            }
        });
        spread(all);
        if (log.isDebug()) {
            monitors.values().forEach(cm -> log.debug("checking " + cm.name() + ": " + cm.plan));
        }
    }

    /** Starts the monitors, their first checks spread over their intervals ({@link #firstDelay}). */
    private static void spread(List<ChannelMonitor> list) {
        int n = list.size();
        for (int k = 0; k < n; k++) {
            ChannelMonitor cm = list.get(k);
            cm.start(firstDelay(k, n, TimeUnit.MILLISECONDS.toNanos(cm.plan.intervalMillis()),
                    ThreadLocalRandom.current().nextDouble()));
        }
    }

    /**
     * When the first check of the {@code k}-th of {@code n} channels is due: the interval cut into {@code n}
     * equal spaces, the {@code k}-th space, and a random point in it ({@code random} in [0, 1)). So a thousand
     * channels never fire at once, and neither do channels whose spaces line up on different instances.
     */
    static long firstDelay(int k, int n, long intervalNanos, double random) {
        return (long) ((k + random) / n * intervalNanos);
    }

    private ChannelMonitor monitorOf(int g, int c, Destination d) {
        ChannelMonitor cm = monitors.get(d);
        if (cm == null) {
            CheckPlan plan = config.plan(g, c);
            if (plan == null) {
                return null;
            }
            cm = new ChannelMonitor(g, c, d, plan, loops.next(), checker, this, log);
            monitors.put(d, cm);
        }
        return cm;
    }

    private interface ChannelVisitor {
        void visit(int group, int channel, Destination d);
    }

    private void forEachChannel(ChannelVisitor v) {
        for (int g = 0; g < routing.groupCount(); g++) {
            DestinationGroup group = routing.group(g);
            List<Destination> channels = group.channels();
            for (int c = 0; c < channels.size(); c++) {
                v.visit(g, c, channels.get(c));
            }
        }
    }

    /** True if checks were asked for on the command line (even if {@code monitor disable} paused them). */
    public boolean isConfigured() {
        return config.isConfigured();
    }

    /** True while checks run. */
    public boolean isEnabled() {
        return enabled;
    }

    /** True if this channel has checks. */
    public boolean checks(Destination d) {
        return monitors.containsKey(d);
    }

    /** {@code monitor enable}: checks start over on every checked channel. Returns false if they already ran. */
    public synchronized boolean enable() {
        if (!isConfigured() || enabled) {
            return false;
        }
        enabled = true;
        log.notice("monitoring enabled by the operator");
        spread(new ArrayList<>(monitors.values()));
        return true;
    }

    /**
     * {@code monitor disable}: checks stop, and channels that checks had taken out come back, since nothing
     * says any more that they are down (channels autodisabled by {@code -a} stay out, as without checks).
     * Returns false if checks were already off.
     */
    public synchronized boolean disable() {
        if (!isConfigured() || !enabled) {
            return false;
        }
        enabled = false;
        log.notice("monitoring disabled by the operator");
        monitors.values().forEach(cm -> cm.stop(true));
        return true;
    }

    /**
     * The operator's {@code enable} or {@code disable} of a channel ({@code changed}: it did change something).
     * With checks configured the change is logged; an enabled channel's checks start over.
     */
    public void operatorSwitched(int group, int channel, Destination d, boolean enable, boolean changed) {
        if (!isConfigured() || !changed) {
            return;
        }
        changed(d);
        log.notice("group " + group + " channel " + channel + " (" + d.endpoint() + ") "
                + (enable ? "enabled" : "disabled") + " by the operator");
        ChannelMonitor cm = monitors.get(d);
        if (enable && cm != null) {
            cm.restartLater();
        }
    }

    /**
     * Channels were created ({@code create}) or pointed elsewhere ({@code assign}): new ones get their checks,
     * a reassigned one's checks start over.
     */
    public synchronized void channelsChanged(Destination reassigned) {
        if (!isConfigured()) {
            return;
        }
        List<ChannelMonitor> fresh = new ArrayList<>();
        forEachChannel((g, c, d) -> {
            if (!monitors.containsKey(d)) {
                changes.putIfAbsent(d, System.currentTimeMillis());
                ChannelMonitor cm = monitorOf(g, c, d);
                if (cm != null) {
                    fresh.add(cm);
                }
            }
        });
        if (enabled) {
            spread(fresh);
        }
        if (reassigned != null) {
            changed(reassigned);
            ChannelMonitor cm = monitors.get(reassigned);
            if (cm != null) {
                cm.restartLater();
            }
        }
    }

    /** Autodisable ({@code -a}) took the channel out: it comes back after {@code rise} passes. */
    void autodisabled(Destination d) {
        changed(d);
        ChannelMonitor cm = monitors.get(d);
        if (cm != null) {
            cm.restartLater();
        }
    }

    /** Notes that the channel's state changed now. */
    void changed(Destination d) {
        changes.put(d, System.currentTimeMillis());
    }

    /** Every channel of every group, in order, for {@code monitor show}. */
    public List<ChannelStatus> status() {
        List<ChannelStatus> rows = new ArrayList<>();
        forEachChannel((g, c, d) -> {
            ChannelMonitor cm = monitors.get(d);
            long changed = changes.getOrDefault(d, startedMillis);
            rows.add(new ChannelStatus(g, c, d.endpoint(), d.status(), cm == null ? "none" : cm.verdict(),
                    cm == null ? 0 : cm.passed(), cm == null ? 0 : cm.failed(), cm == null ? null : cm.last(),
                    changed, cm == null ? null : cm.plan));
        });
        return rows;
    }

    /** Stops every check and kills the commands still running. */
    public synchronized void stop() {
        if (!isConfigured()) {
            return;
        }
        enabled = false;
        monitors.values().forEach(cm -> {
            try {
                cm.stop(false);
            } catch (RuntimeException e) {
                // the loop is already shutting down
            }
        });
        checker.close();
    }

    /** For tests: the identity-keyed view of which channels are checked. */
    Map<Destination, ChannelMonitor> monitors() {
        return new IdentityHashMap<>(monitors);
    }
}
