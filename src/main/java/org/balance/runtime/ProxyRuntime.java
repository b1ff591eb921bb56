package org.balance.runtime;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.balance.balancing.Balancer;
import org.balance.balancing.Destination;
import org.balance.balancing.DestinationGroup;
import org.balance.balancing.Routing;
import org.balance.cli.ExitStatus;
import org.balance.cli.ProxyConfig;
import org.balance.control.ControlServer;
import org.balance.control.ControlSocketFile;
import org.balance.control.RunDirectory;
import org.balance.health.Autodisable;
import org.balance.health.HealthMonitor;
import org.balance.log.Log;
import org.balance.log.NettyLog;
import org.balance.log.StderrLog;
import org.balance.log.SyslogLog;
import org.balance.relay.PacketDump;
import org.balance.relay.ProxyServer;
import org.balance.relay.RelaySettings;
import org.balance.relay.SessionCounters;
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
    private final ProxyConfig config;
    private final Routing routing;
    private final Transport transport;
    private final EventLoopGroup group;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final SessionCounters sessions = new SessionCounters();
    private volatile Channel listener;
    private volatile ControlServer control;
    private volatile StatsServer stats;
    private final long startedMillis = System.currentTimeMillis();
    private volatile Log log;
    private volatile HealthMonitor health = HealthMonitor.none();
    private SyslogLog syslog;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object drainLock = new Object();
    private boolean drainCutShort;
    private boolean entrancesClosed;
    private boolean entrancesClean;
    /** How often a drain looks whether the sessions have ended. */
    private static final long DRAIN_POLL_MILLIS = 50;
    /** After a drain timeout, how long closing sessions may take to flush what they had read. */
    private static final long CLOSE_FLUSH_SECONDS = 2;

    private ProxyRuntime(ProxyConfig config, Transport transport) {
        this.config = config;
        this.routing = buildRouting(config);
        this.transport = transport;
        this.group = transport.newGroup(Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("balance-io", true));
    }

    static Routing buildRouting(ProxyConfig config) {
        Routing routing = new Routing();
        int g = 0;
        for (ProxyConfig.GroupConfig gc : config.groups()) {
            DestinationGroup group = routing.group(g++);
            group.setType(gc.type());
            for (ProxyConfig.ChannelConfig cc : gc.channels()) {
                group.add(new Destination(cc.endpoint(), cc.maxConnections(), true));
            }
        }
        return routing;
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
        return start(config, background, out, err, runDirectory, Transport.detect());
    }

    /** As above, on the given transport (tests run every case on each transport in one JVM). */
    public static ProxyRuntime start(ProxyConfig config, boolean background, PrintStream out, PrintStream err,
                                     RunDirectory runDirectory, Transport transport) throws StartException {
        ProxyRuntime runtime = new ProxyRuntime(config, transport);
        try {
            runtime.startServing(background, out, err);
            if (runDirectory != null) {
                runtime.startControl(runDirectory);
            }
            if (config.stats() != null) {
                runtime.startStats();
            }
            runtime.publishControl();
            ProxyServer.startAccepting(runtime.listener);
            return runtime;
        } catch (StartException e) {
            runtime.stop();
            throw e;
        } catch (RuntimeException e) {
            runtime.stop();
            throw new StartException("cannot start: " + e, ExitStatus.SOFTWARE);
        }
    }

    private void startServing(boolean background, PrintStream out, PrintStream err) throws StartException {
        log = background ? openSyslog(err) : new StderrLog(err, config.debug());
        NettyLog.routeTo(log);
        if (config.debug()) {
            log.debug(transport.describeUrgentData());
            log.debug("transport " + transport.name() + ", the following channels are active:");
            for (int g = 0; g < routing.groupCount(); g++) {
                DestinationGroup group = routing.group(g);
                for (int c = 0; c < group.size(); c++) {
                    Destination d = group.channel(c);
                    log.debug(String.format("%3d %2d %s:%d", g, c, d.endpoint(), d.maxConnections()));
                }
            }
        }
        health = HealthMonitor.of(config.health(), routing, group, transport, config.sourceAddress(), log);
        RelaySettings settings = new RelaySettings(
                new Balancer(routing, config.hashFailover()),
                log,
                (int) TimeUnit.SECONDS.toMillis(config.connectTimeoutSeconds()),
                config.idleTimeoutSeconds(),
                config.sourceAddress(),
                config.autodisable() ? new Autodisable(log, health) : null,
                config.packetDump() && !background ? new PacketDump(out) : null,
                sessions);
        InetSocketAddress address = config.bindAddress() == null
                ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.bindAddress(), config.port());
        try {
            listener = new ProxyServer(transport, group, settings).bind(address, config.ipv6());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while binding", ExitStatus.OS_ERROR);
        } catch (Exception e) {
            throw new StartException("bind: " + ProxyServer.reason(e) + " [" + describe(address) + "]", ExitStatus.OS_ERROR);
        }
        if (config.debug()) {
            log.debug("listening on " + listener.localAddress());
        }
        health.start();
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
                    ControlServer.Settings.fromSystemProperties(), log);
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
                    Usage.VERSION, transport.name(), log);
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

    private Log openSyslog(PrintStream err) {
        if (transport.isEpoll()) {
            try {
                syslog = SyslogLog.open(group, System.getProperty("balance.syslog", "/dev/log"));
                return syslog;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // fall through to stderr, which in the background is /dev/null
            }
        }
        return new StderrLog(err, false);
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
        if (syslog != null) {
            syslog.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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
        entrancesClean = clean;
        return clean;
    }
}
