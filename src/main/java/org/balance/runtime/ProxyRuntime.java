package org.balance.runtime;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.balance.balancing.Balancer;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Endpoint;
import org.balance.balancing.GroupType;
import org.balance.balancing.Routing;
import org.balance.cli.ExitStatus;
import org.balance.cli.ProxyConfig;
import org.balance.control.ControlProtocol;
import org.balance.discovery.DnsLookup;
import org.balance.discovery.NameLookup;
import org.balance.discovery.NameWatcher;
import org.balance.control.ControlServer;
import org.balance.control.ControlSocketFile;
import org.balance.control.Handover;
import org.balance.control.RunDirectory;
import org.balance.health.Autodisable;
import org.balance.health.HealthConfig;
import org.balance.health.HealthMonitor;
import org.balance.log.Log;
import org.balance.log.NettyLog;
import org.balance.log.StderrLog;
import org.balance.log.SyslogLog;
import org.balance.relay.PacketDump;
import org.balance.relay.ProxyServer;
import org.balance.relay.RelaySettings;
import org.balance.relay.SessionCounters;
import org.balance.relay.SessionPolicy;
import org.balance.policy.RefusalLog;
import org.balance.policy.SessionLog;
import org.balance.policy.SourceLimits;
import org.balance.policy.SourcePolicy;
import org.balance.proxyprotocol.ProxyProtocolPolicy;
import org.balance.relay.Transport;
import org.balance.stats.Snapshot;
import org.balance.stats.StatsServer;
import org.balance.stats.StatusJson;
import org.balance.cli.Usage;

/**
 * One running balance: builds the groups from the configuration, starts the event loops, binds the port,
 * and stops everything in order. The only object that owns state; everything else gets what it needs from here.
 */
public final class ProxyRuntime implements Running {
    private volatile ProxyConfig config;
    private final Routing routing;
    private final Transport transport;
    private final EventLoopGroup group;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final SessionCounters sessions = new SessionCounters();
    /** {@code --source-limit}'s counts: the instance's, so that a reload keeps counting the sessions in progress. */
    private final SourceLimits sourceLimits = new SourceLimits();
    private final RefusalLog refusals = new RefusalLog(RefusalLog.INTERVAL_MILLIS);
    /** {@code --log-sessions}' writer, started the first time a configuration asks for it; null until then. */
    private SessionLog sessionLog;
    private volatile Channel listener;
    private volatile ControlServer control;
    private volatile StatsServer stats;
    private final long startedMillis = System.currentTimeMillis();
    private final Log log;
    private final PrintStream out;
    private final boolean background;
    /** Started alone: the event loops and the log are this instance's to close. */
    private final boolean ownsShared;
    private volatile HealthMonitor health = HealthMonitor.none();
    private volatile ProxyServer server;
    /** {@code --resolve}: resolves the channels' names again; null without it. */
    private NameWatcher names;
    private SyslogLog syslog;
    private RunDirectory runDirectory;
    /** During a takeover: the connection to the instance whose listening socket this one took. */
    private volatile Channel predecessor;
    private volatile SystemdNotify notify = SystemdNotify.none();
    /** How long a takeover waits for the running instance's listening socket. */
    private static final long TAKEOVER_SECONDS = 10;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object drainLock = new Object();
    private boolean drainCutShort;
    private boolean entrancesClosed;
    private boolean entrancesClean;
    /** How often a drain looks whether the sessions have ended. */
    private static final long DRAIN_POLL_MILLIS = 50;
    /** After a drain timeout, how long closing sessions may take to flush what they had read. */
    private static final long CLOSE_FLUSH_SECONDS = 2;

    /**
     * What the instances of one process share: the transport and its event loops, the log, where the packet dump
     * goes, whether they run in the background, and the run directory of their control sockets (null: none).
     */
    public record Shared(Transport transport, EventLoopGroup loops, Log log, PrintStream out, boolean background,
                         RunDirectory runDirectory) {
    }

    private ProxyRuntime(ProxyConfig config, Shared shared, boolean ownsShared) {
        this.config = config;
        this.routing = new Routing();
        this.transport = shared.transport();
        this.group = shared.loops();
        this.log = shared.log();
        this.out = shared.out();
        this.background = shared.background();
        this.ownsShared = ownsShared;
    }

    /**
     * Starts serving. In the foreground, logs go to {@code err} and the packet dump to {@code out}; in the
     * background, logs go to syslog and there is no packet dump, as in the original.
     */
    public static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err)
            throws StartException {
        return start(config, background, out, err, null);
    }

    /**
     * As {@link #start(ProxyConfig, boolean, PrintStream, PrintStream)}, and serves the control socket in
     * {@code runDirectory} (none if null) once the port is bound. The control socket appears only when
     * everything else has started (the port, the statistics endpoint), so that it means "serving"; clients are
     * accepted after that: until then the kernel queues them, and they cannot take the descriptors that
     * start-up needs.
     */
    public static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err,
                                     RunDirectory runDirectory) throws StartException {
        return start(config, background, out, err, runDirectory, Transport.detect(), 0);
    }

    /** As above, after a warm-up of at most {@code warmupMillis} ({@code --warmup}; 0: none, see {@link JitWarmup}). */
    public static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err,
                                     RunDirectory runDirectory, long warmupMillis) throws StartException {
        return start(config, background, out, err, runDirectory, Transport.detect(), warmupMillis);
    }

    /** As above, on the given transport (tests run every case on each transport in one JVM): event loops and log of its own. */
    public static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err,
                                     RunDirectory runDirectory, Transport transport) throws StartException {
        return start(config, background, out, err, runDirectory, transport, 0);
    }

    private static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err,
                                      RunDirectory runDirectory, Transport transport, long warmupMillis)
            throws StartException {
        EventLoopGroup loops = newLoops(transport);
        SyslogLog syslog = background ? openSyslog(transport, loops) : null;
        Log log = syslog != null ? syslog : new StderrLog(err, config.debug() && !background);
        NettyLog.routeTo(log);
        ProxyRuntime runtime = new ProxyRuntime(config, new Shared(transport, loops, log, out, background, runDirectory), true);
        runtime.syslog = syslog;
        runtime.startUp(runDirectory);
        try {
            warmUp(warmupMillis, transport, loops, log);
        } catch (StartException e) {
            runtime.stop();
            throw e;
        }
        return runtime.serve();
    }

    /**
     * One instance among others of the same process ({@code --config}): it shares their event loops and log. It is
     * ready but does not accept yet: {@link #serve()} starts that (after the process's warm-up).
     */
    public static ProxyRuntime start(ProxyConfig config, Shared shared) throws StartException {
        return new ProxyRuntime(config, shared, false).startUp(shared.runDirectory());
    }

    /**
     * {@code --warmup}: sessions through the relay ({@link JitWarmup}) once the instances are ready but before they
     * accept; 0 for none. Not earlier: what the rest of the start loads (the control socket's and the statistics'
     * channels and executors) adds classes beside those the compilers had taken for the only ones, and the code
     * compiled on that assumption is thrown away: with the warm-up before the start, C2 compiled about 90 methods
     * again, some 0.5 s of the core, in the first second of serving (JFR, class loading log; 2026-12-06). An
     * instance that took its listening socket over ({@code --takeover}) leaves the old one accepting meanwhile; a
     * fresh one has bound its port, and the kernel queues the connections that come meanwhile.
     */
    static void warmUp(long warmupMillis, Transport transport, EventLoopGroup loops, Log log) throws StartException {
        if (warmupMillis <= 0) {
            return;
        }
        try {
            JitWarmup.before(warmupMillis, transport, loops, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while warming up", ExitStatus.SOFTWARE);
        }
    }

    /** The relay's event loops: one per core. */
    static EventLoopGroup newLoops(Transport transport) {
        return transport.newGroup(Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("balance-io", true));
    }

    private ProxyRuntime startUp(RunDirectory runDirectory) throws StartException {
        this.runDirectory = runDirectory;
        try {
            startServing();
            if (runDirectory != null) {
                startControl(runDirectory);
            }
            if (config.stats() != null) {
                startStats();
            }
            publishControl();
            return this;
        } catch (StartException e) {
            stop();
            throw e;
        } catch (RuntimeException e) {
            stop();
            throw new StartException("cannot start: " + e, ExitStatus.SOFTWARE);
        }
    }

    /**
     * Accepts from now on: the last step of a start. A takeover's predecessor hears that this one serves and
     * drains.
     */
    public ProxyRuntime serve() throws StartException {
        try {
            ProxyServer.startAccepting(listener);
            tellPredecessor();
            watchNames(config);
            return this;
        } catch (RuntimeException e) {
            stop();
            throw new StartException("cannot start: " + e, ExitStatus.SOFTWARE);
        }
    }

    private void startServing() throws StartException {
        if (config.debug()) {
            log.debug(transport.describeUrgentData());
        }
        health = HealthMonitor.forRuntime(HealthConfig.NONE, routing, group, transport, config.sourceAddress(), log);
        server = new ProxyServer(transport, group, settingsFor(config));
        applyConfig(config);
        InetSocketAddress address = config.bindAddress() == null
                ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.bindAddress(), config.port());
        try {
            listener = takeOver(address);
            if (listener == null) {
                listener = server.bind(address, config.ipv6());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while binding", ExitStatus.OS_ERROR);
        } catch (Exception e) {
            throw new StartException("bind: " + ProxyServer.reason(e) + " [" + describe(address) + "]", ExitStatus.OS_ERROR);
        }
        if (config.debug()) {
            log.debug("listening on " + listener.localAddress());
        }
    }

    /**
     * Applies {@code next} to the running instance: the one path of start-up and reload. Groups and channels
     * become the configuration's, each channel that is still there (same group, same address and port) keeping
     * its counters, its health-check state and the operator's disable, and taking its new maxc; new channels take
     * new sessions at once, channels left out take no new one while their sessions go on; the options of the
     * sessions (timeouts, -B, -a, -H, -p) and the checks apply to new sessions. The port and listen address are
     * the instance's identity and never change here.
     */
    private synchronized void applyConfig(ProxyConfig next) {
        applyGroups(routing, next.groups());
        health.reconfigure(next.health(), next.sourceAddress());
        server.update(settingsFor(next));
        config = next;
        if (next.debug()) {
            log.debug("transport " + transport.name() + ", the following channels are active:");
            for (int g = 0; g < routing.groupCount(); g++) {
                DestinationGroup dg = routing.group(g);
                for (int c = 0; c < dg.size(); c++) {
                    Destination d = dg.channel(c);
                    log.debug(String.format("%3d %2d %s:%d", g, c, d.endpoint(), d.maxConnections()));
                }
            }
        }
    }

    /** The relay settings that {@code c} gives new sessions. */
    private RelaySettings settingsFor(ProxyConfig c) {
        return new RelaySettings(
                new Balancer(routing, c.hashFailover(), c.hashScheme()),
                log,
                (int) TimeUnit.SECONDS.toMillis(c.connectTimeoutSeconds()),
                c.idleTimeoutSeconds(),
                c.sourceAddress(),
                c.autodisable() ? new Autodisable(log, health) : null,
                c.packetDump() && !background ? new PacketDump(out) : null,
                sessions,
                c.proxyProtocol().isNone() ? SessionPolicy.NONE : ProxyProtocolPolicy.of(c.proxyProtocol(), log, sessions),
                SourcePolicy.of(c.policy(), sourceLimits, refusals, log),
                c.policy().logSessions() ? sessionLog() : null);
    }

    /** The session log's writer, started on first use (a configuration with {@code --log-sessions}). */
    private synchronized SessionLog sessionLog() {
        if (sessionLog == null) {
            sessionLog = SessionLog.start(log, "balance-sessions-" + config.port());
        }
        return sessionLog;
    }

    /** {@code --source-limit}'s table of sessions open per source. */
    public SourceLimits sourceLimits() {
        return sourceLimits;
    }

    /**
     * Makes the groups of {@code routing} those of {@code groups}: a channel configured at the same address and port
     * in the same group as one there now is that channel (its counters and switches stay, its maxc follows the
     * configuration); so is one configured with the same host name and port whose name now resolves to another
     * address ({@code --resolve}, or a reload): it moves there ({@link Destination#moveTo}), new sessions go to the
     * new address and those in progress stay where they are. Any other is new and enabled. Groups beyond the
     * configuration's are emptied.
     */
    static void applyGroups(Routing routing, List<ProxyConfig.GroupConfig> groups) {
        for (int g = 0; g < routing.groupCount(); g++) {
            DestinationGroup dg = routing.group(g);
            if (g >= groups.size()) {
                if (dg.size() > 0) {
                    dg.replace(GroupType.ROUND_ROBIN, List.of());
                }
                continue;
            }
            ProxyConfig.GroupConfig gc = groups.get(g);
            List<Destination> now = new ArrayList<>(dg.channels());
            int n = gc.channels().size();
            Destination[] next = new Destination[n];
            int[] weights = new int[n];
            // First the channels at the same address, then those whose name moved: a twin that stayed keeps its own.
            for (int i = 0; i < n; i++) {
                ProxyConfig.ChannelConfig cc = gc.channels().get(i);
                weights[i] = cc.weight();
                for (int k = 0; k < now.size() && next[i] == null; k++) {
                    if (now.get(k).endpoint().equals(cc.endpoint())) {
                        next[i] = now.remove(k);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                ProxyConfig.ChannelConfig cc = gc.channels().get(i);
                for (int k = 0; k < now.size() && next[i] == null; k++) {
                    Endpoint e = now.get(k).endpoint();
                    if (e.host().equals(cc.endpoint().host()) && e.port() == cc.endpoint().port()) {
                        next[i] = now.remove(k);
                        next[i].moveTo(cc.endpoint());
                    }
                }
                if (next[i] == null) {
                    next[i] = new Destination(cc.endpoint(), cc.maxConnections(), true);
                } else {
                    next[i].setMaxConnections(cc.maxConnections());
                }
            }
            dg.replace(gc.type(), List.of(next), weights);
        }
    }

    /**
     * {@code --resolve}: starts resolving the channels' names again every so often (none without it), on the relay's
     * event loops, handing what moved to {@link #readdress}. Replaces the watcher a reload changed.
     */
    private synchronized void watchNames(ProxyConfig c) {
        if (names != null) {
            names.close();
            names = null;
        }
        if (c.resolveMillis() <= 0 || isStopping()) {
            return;
        }
        NameLookup lookup = DnsLookup.on(group.next(), transport::newDatagramChannel, c.dns());
        names = new NameWatcher(lookup, c.resolveMillis(), new NameWatcher.Target() {
            @Override
            public ProxyConfig config() {
                return config;
            }

            @Override
            public void apply(UnaryOperator<ProxyConfig> change) {
                readdress(change);
            }
        }, log);
        names.start();
    }

    /**
     * A name resolved to another address ({@code --resolve}): {@code change} turns the configuration in force into
     * one with the new addresses, which goes the one apply path ({@link #applyConfig}), under this instance's lock so
     * that a reload in between is not undone.
     */
    private synchronized void readdress(UnaryOperator<ProxyConfig> change) {
        if (isStopping()) {
            return;
        }
        ProxyConfig next = change.apply(config);
        if (next != config) {
            applyConfig(next);
        }
    }

    /**
     * A reload of this instance ({@code --config}): applies {@code next}, which has the same port and listen
     * address, in place (see {@link #applyConfig}); a changed {@code --stats} address moves the statistics endpoint.
     */
    public void reconfigure(ProxyConfig next) {
        ProxyConfig before = config;
        if (next.port() != before.port() || !next.bindText().equals(before.bindText())) {
            throw new IllegalArgumentException("port " + next.port() + " (bind " + next.bindText()
                    + ") is another instance than port " + before.port() + " (bind " + before.bindText() + ")");
        }
        if (isStopping()) {
            return;
        }
        applyConfig(next);
        if (before.resolveMillis() != next.resolveMillis() || !java.util.Objects.equals(before.dns(), next.dns())) {
            watchNames(next);
        }
        if (!java.util.Objects.equals(before.stats(), next.stats()) || !before.statsHosts().equals(next.statsHosts())) {
            moveStats(next);
        }
        if (before.ipv6() != next.ipv6()) {
            log.notice("port " + next.port() + ": -6 changed; the listening socket keeps its family until a restart");
        }
    }

    private synchronized void moveStats(ProxyConfig next) {
        StatsServer old = stats;
        if (old != null) {
            old.stop();
            stats = null;
        }
        if (next.stats() != null) {
            try {
                startStats();
            } catch (StartException e) {
                log.error("port " + next.port() + ": " + e.getMessage());
            }
        }
    }

    /**
     * {@code --takeover}: if a balance serves this port and address now (its control socket answers), asks it for
     * its listening socket and adopts it, not yet accepting; returns null if there is none to take over (then the
     * port is bound as usual, and fails as usual if it is taken). Epoll only: on NIO the port is bound as usual.
     */
    private Channel takeOver(InetSocketAddress address) throws InterruptedException, StartException {
        if (!config.takeover() || runDirectory == null || !transport.isEpoll()) {
            return null;
        }
        Path socket = runDirectory.socketPath(config.port(), config.bindText());
        if (!ControlSocketFile.isLive(socket)) {
            return null;
        }
        Future<ListenerHandover.Received> asked = ListenerHandover.receive(group,
                new DomainSocketAddress(socket.toString()), ControlProtocol.TAKEOVER + "\n");
        if (!asked.await(TAKEOVER_SECONDS, TimeUnit.SECONDS) || !asked.isSuccess()) {
            asked.cancel(false);
            throw new StartException("takeover of [" + describe(address) + "] from the balance at " + socket + " failed: "
                    + (asked.cause() == null ? "no answer in " + TAKEOVER_SECONDS + " s" : ProxyServer.reason(asked.cause())),
                    ExitStatus.OS_ERROR);
        }
        ListenerHandover.Received received = asked.getNow();
        predecessor = received.connection();
        Channel adopted = ListenerHandover.adopt(received.listener(), server.bootstrap()).sync().channel();
        log.notice("port " + config.port() + ": took the listening socket over from the running balance");
        return adopted;
    }

    /** After a takeover, once this instance accepts: the predecessor stops accepting and drains. */
    private void tellPredecessor() {
        Channel p = predecessor;
        if (p != null) {
            predecessor = null;
            p.writeAndFlush(Unpooled.copiedBuffer(ControlProtocol.TAKEN + "\n", ControlProtocol.CHARSET))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * The old side of a takeover, on the control socket: the statistics endpoint and the control socket close first
     * (the new instance needs their port and name; the socket file stays until the new one's replaces it), the
     * listening socket goes over, and this instance accepts until the new one says it serves, then drains.
     */
    private final class GiveListener implements Handover {
        @Override
        public String give(Channel connection) {
            synchronized (ProxyRuntime.this) {
                if (isStopping()) {
                    return "this balance is stopping";
                }
                if (!transport.isEpoll()) {
                    return "no descriptor passing on the " + transport.name() + " transport";
                }
                StatsServer st = stats;
                if (st != null) {
                    st.stop();
                    stats = null;
                }
                ControlServer c = control;
                if (c != null) {
                    c.stopListening();
                }
                try {
                    ListenerHandover.send(connection, listener).sync();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    abandoned();
                    return "interrupted";
                } catch (RuntimeException e) {
                    abandoned();
                    return ProxyServer.reason(e);
                }
                log.notice("port " + config.port() + ": handing the listening socket over to a new balance");
                return null;
            }
        }

        @Override
        public void taken() {
            log.notice("port " + config.port() + ": taken over by the new balance");
            drain(null);
        }

        @Override
        public void abandoned() {
            synchronized (ProxyRuntime.this) {
                if (isStopping()) {
                    return;
                }
                log.error("port " + config.port() + ": the new balance went away before it served; serving on");
                try {
                    ControlServer old = control;
                    control = null;
                    if (old != null) {
                        old.close();
                        // not now: this very call runs on the old control socket's command executor
                        group.next().schedule(old::shutdownCommands, 1, TimeUnit.SECONDS);
                    }
                    if (runDirectory != null) {
                        startControl(runDirectory);
                    }
                    if (config.stats() != null && stats == null) {
                        startStats();
                    }
                    publishControl();
                } catch (StartException e) {
                    log.error("port " + config.port() + ": " + e.getMessage());
                }
            }
        }
    }

    private void startControl(RunDirectory runDirectory) throws StartException {
        Path socket;
        try {
            socket = runDirectory.socketPath(config.port(), config.bindText());
        } catch (IllegalArgumentException e) {
            throw new StartException(e.getMessage(), ExitStatus.OS_ERROR);
        }
        try {
            control = ControlServer.start(transport, group, socket, routing, health, this::statusJson, this::stopFromControl,
                    new GiveListener(), ControlServer.Settings.fromSystemProperties(), log);
        } catch (ControlSocketFile.InUseException e) {
            throw new StartException(e.getMessage(), ExitStatus.OS_ERROR);
        } catch (ControlSocketFile.NoRunDirectoryException e) {
            // the original's status for this case
            throw new StartException(e.getMessage(), ExitStatus.UNAVAILABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while starting the control socket", ExitStatus.OS_ERROR);
        } catch (IOException | RuntimeException e) {
            throw controlSocketFailed(socket, e);
        }
    }

    private void publishControl() throws StartException {
        if (control == null) {
            return;
        }
        try {
            control.publish();
        } catch (IOException | RuntimeException e) {
            throw controlSocketFailed(control.socketPath(), e);
        }
    }

    private static StartException controlSocketFailed(Path socket, Exception e) {
        return new StartException("control socket " + socket + ": " + controlProblem(e), ExitStatus.OS_ERROR);
    }

    /** {@code --stats}: the statistics endpoint, with the token beside the control socket if there is one. */
    private void startStats() throws StartException {
        ControlServer c = control;
        Path tokenFile = c == null ? null : c.socketPath().resolveSibling(c.socketPath().getFileName() + ".token");
        try {
            stats = StatsServer.start(config.stats(), this::snapshot, routing, c == null ? null : c::run, tokenFile,
                    config.statsHosts(), Usage.VERSION, transport.name(), log);
        } catch (IOException | RuntimeException e) {
            throw new StartException("statistics endpoint [" + describe(config.stats()) + "]: " + controlProblem(e),
                    ExitStatus.OS_ERROR);
        }
    }

    /** The instance's state now, for the statistics and {@code json}. */
    public Snapshot snapshot() {
        return Snapshot.take(routing, health, sessions, startedMillis);
    }

    private String statusJson() {
        return StatusJson.of(snapshot(), Usage.VERSION);
    }

    /** The control socket's server, or null without a run directory. */
    public ControlServer control() {
        return control;
    }

    /** The statistics endpoint, or null without {@code --stats}. */
    public StatsServer stats() {
        return stats;
    }

    /** "AccessDenied: /var/run/balance/x" or Netty's native "bind(..) failed with error(-13): Permission denied". */
    private static String controlProblem(Throwable e) {
        String m = e.getMessage();
        if (m != null && m.contains("(..) failed")) {
            return ProxyServer.reason(e);
        }
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return m == null ? kind : kind + ": " + m;
    }

    /**
     * {@code kill}: a graceful stop, as SIGTERM; the shell is answered once the port and the control socket are
     * closed. (The drain runs on a thread of its own: stopping waits for the event loops, so it must not run on one
     * of them, nor on the control executor.) A second {@code kill} cannot come: the control socket is gone.
     */
    private void stopFromControl(Consumer<Boolean> lastWords) {
        if (!drain(lastWords)) {
            lastWords.accept(true);
        }
    }

    /** Syslog through /dev/log (epoll only), or null: in the background stderr is /dev/null, the fallback says nothing. */
    private static SyslogLog openSyslog(Transport transport, EventLoopGroup loops) {
        if (transport.isEpoll()) {
            try {
                return SyslogLog.open(loops, System.getProperty("balance.syslog", "/dev/log"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // fall through to stderr, which in the background is /dev/null
            }
        }
        return null;
    }

    private static String describe(InetSocketAddress a) {
        String host = a.getAddress() == null ? "*" : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public Routing routing() {
        return routing;
    }

    /** The instance's session counts. */
    public SessionCounters sessions() {
        return sessions;
    }

    public Log log() {
        return log;
    }

    /** The health checks ({@link HealthMonitor#none()} without check options). */
    public HealthMonitor health() {
        return health;
    }

    public EventLoopGroup eventLoops() {
        return group;
    }

    public Transport transport() {
        return transport;
    }

    public ProxyConfig config() {
        return config;
    }

    /** The bound listen address (useful when the port was 0 in tests). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * Tells systemd ({@code NOTIFY_SOCKET}, {@code Type=notify}) that this instance, started alone, serves now, and
     * that it stops when it drains.
     */
    public void notifyTo(SystemdNotify n) {
        notify = n;
        n.ready("serving port " + config.port());
    }

    /** SIGHUP: a command line has nothing to read again. */
    @Override
    public void reload() {
        log.notice("SIGHUP: nothing to reload, this balance was started from a command line"
                + " (balance --config FILE reads its file again on SIGHUP)");
    }

    /** SIGUSR1: without a configuration file there is no restart to wait for. */
    @Override
    public void restarting() {
        log.notice("SIGUSR1: ignored, this balance was started from a command line");
    }

    @Override
    public void notice(String message) {
        log.notice(message);
    }

    /** Blocks until the instance has stopped ({@link #stop()}, or the end of a {@link #drain}). */
    @Override
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** True once the instance has stopped: no session of its own is left. */
    public boolean hasStopped() {
        return stopped.getCount() == 0;
    }

    /** True once a drain or a stop has begun: the port is closed or closing. */
    public boolean isStopping() {
        return draining.get() || stopped.getCount() == 0;
    }

    /**
     * The graceful stop (SIGTERM, {@code kill}): closes the listening socket at once, so that new connections are
     * refused and another balance may bind the port; removes the control socket, so that another balance may take
     * its name; stops the statistics endpoint and the health checks; then lets every session in progress go on
     * until it ends, or until the drain timeout ({@code --drain-timeout}) closes what is left, and stops.
     * {@code lastWords}, if given, runs once the entrances are closed, with whether that went cleanly.
     * Returns at once (the waiting happens on a thread of its own); false if a drain had already begun.
     */
    @Override
    public boolean drain(Consumer<Boolean> lastWords) {
        if (!draining.compareAndSet(false, true)) {
            return false;
        }
        Thread t = new Thread(() -> runDrain(lastWords), "balance-drain");
        t.start();
        return true;
    }

    /** Ends a drain now (a second SIGTERM): the sessions still open are cut, as by {@link #stop()}. */
    @Override
    public void cutDrainShort() {
        synchronized (drainLock) {
            drainCutShort = true;
            drainLock.notifyAll();
        }
    }

    private void runDrain(Consumer<Boolean> lastWords) {
        boolean clean = closeEntrances();
        notify.stopping(sessions(sessions.inProgress()) + " in progress");
        if (lastWords != null) {
            try {
                lastWords.accept(clean);
            } catch (RuntimeException e) {
                // the shell that asked is gone; stopping goes on
            }
        }
        long timeout = config.drainTimeoutMillis();
        long open = sessions.inProgress();
        if (open > 0) {
            log.notice("port " + config.port() + " closed, waiting for " + sessions(open) + " to end"
                    + (timeout < 0 ? "" : " (at most " + seconds(timeout) + ")"));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        if (!waitForSessions(timeout < 0 ? Long.MAX_VALUE : deadline)) {
            int closed = sessions.closeAll();
            if (closed > 0) {
                log.notice("drain timeout after " + seconds(timeout) + ": closing " + sessions(closed) + " still open");
            }
            // What the sessions had read goes out first, unless a reader takes longer than this.
            waitForSessions(System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_FLUSH_SECONDS));
        }
        stop(null);
    }

    /** Waits until no session is left (true), or until {@code deadline} or a cut (false). */
    private boolean waitForSessions(long deadline) {
        synchronized (drainLock) {
            while (sessions.inProgress() > 0) {
                long left = deadline - System.nanoTime();
                if (drainCutShort || left <= 0) {
                    return false;
                }
                try {
                    drainLock.wait(Math.max(1, Math.min(DRAIN_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static String sessions(long n) {
        return n == 1 ? "1 session" : n + " sessions";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    /** Closes the listener, then the sessions and event loops. Safe to call more than once, from any thread. */
    @Override
    public void stop() {
        stop(null);
    }

    /**
     * Closes the listener, the statistics endpoint and the control socket (removing its file), then the sessions
     * and event loops. {@code lastWords}, if given, runs in between, while the event loops still run, with whether
     * the listener and the control socket closed cleanly: {@code kill} answers its shell from there.
     * Safe to call more than once, from any thread but an event loop's.
     */
    public synchronized void stop(Consumer<Boolean> lastWords) {
        if (stopped.getCount() == 0) {
            return;
        }
        boolean clean = closeEntrances();
        if (lastWords != null) {
            try {
                lastWords.accept(clean);
            } catch (RuntimeException e) {
                // the shell that asked is gone; stopping goes on
            }
        }
        ControlServer c = control;
        if (c != null) {
            c.shutdownCommands();
        }
        if (ownsShared) {
            if (sessionLog != null) {
                sessionLog.close();
            }
            if (syslog != null) {
                syslog.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        } else {
            // The event loops go on for the other instances of the process: this one's sessions end here.
            sessions.closeAll();
            if (sessionLog != null) {
                sessionLog.close();
            }
        }
        stopped.countDown();
        cutDrainShort();
    }

    /**
     * Closes what lets anything new in: the listener (the port is free at once), the statistics endpoint, the
     * control socket (its file removed, if still ours) and the health checks. Sessions in progress go on.
     * Returns whether the listener and the control socket closed cleanly. Idempotent.
     */
    private synchronized boolean closeEntrances() {
        if (entrancesClosed) {
            return entrancesClean;
        }
        entrancesClosed = true;
        boolean clean = true;
        Channel l = listener;
        if (l != null) {
            clean = l.close().awaitUninterruptibly(2, TimeUnit.SECONDS) && !l.isOpen();
        }
        StatsServer st = stats;
        if (st != null) {
            st.stop();
        }
        ControlServer c = control;
        if (c != null) {
            clean &= c.close();
        }
        health.stop();
        if (names != null) {
            names.close();
            names = null;
        }
        entrancesClean = clean;
        return clean;
    }
}
