package org.balance.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.balance.cli.ConfigFile;
import org.balance.cli.Options;
import org.balance.cli.ProxyConfig;
import org.balance.cli.UsageException;
import org.balance.control.RunDirectory;
import org.balance.log.Log;
import org.balance.log.NettyLog;
import org.balance.log.StderrLog;
import org.balance.relay.Transport;

/**
 * Every command line of a configuration file ({@code balance --config FILE}, what {@code balance@NAME.service} runs)
 * served by this one process: one {@link ProxyRuntime} per line, sharing the event loops and the log. One JVM for
 * the whole file rather than one per line: a JVM's memory once instead of per port, one process to tell systemd
 * when it is ready, to reload and to hand over on a restart.
 *
 * <p>SIGHUP reads the file again ({@link #reload()}): an invalid file changes nothing (the error is logged with the
 * file and line); otherwise a line whose port and listen address are still in the file is changed in place
 * ({@link ProxyRuntime#reconfigure}: its listening socket stays open, its sessions go on), a line no longer there
 * drains as on SIGTERM, and a new line starts. A line is the instance it was as long as its port and {@code -b}
 * address are the same.
 *
 * <p>With {@code NOTIFY_SOCKET} set (systemd's {@code Type=notify}) it says {@code READY=1} once every port serves,
 * {@code RELOADING=1} and {@code READY=1} around a reload, {@code STOPPING=1} when a drain begins, and a
 * {@code STATUS=} line with the sessions in progress.
 */
public final class Service implements Running {
    /** How often the status line for systemd is brought up to date. */
    private static final long STATUS_SECONDS = 5;

    private final Path file;
    /** {@code --drain-timeout} of the {@code --config} command line: for the lines without one of their own. */
    private final long drainTimeoutMillis;
    private final ProxyRuntime.Shared shared;
    private final SystemdNotify notify;
    /** The instances serving the file's lines, by port and listen address; changed under this object's lock. */
    private final Map<String, ProxyRuntime> serving = new LinkedHashMap<>();
    /** Instances that were removed by a reload and drain. */
    private final List<ProxyRuntime> leaving = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private boolean restarting;
    /** After SIGUSR1, how long this balance serves on at most, waiting for the new one to take its ports over. */
    static final long RESTART_WAIT_SECONDS = 120;
    private ScheduledFuture<?> statusTimer;

    private Service(Path file, long drainTimeoutMillis, ProxyRuntime.Shared shared, SystemdNotify notify) {
        this.file = file;
        this.drainTimeoutMillis = drainTimeoutMillis;
        this.shared = shared;
        this.notify = notify;
    }

    /**
     * Reads {@code file} and starts every line in the foreground, logging to {@code err}; fails as a whole (every
     * line started so far stopped again) if the file is invalid or one line cannot start. With {@code takeOver}, a
     * line whose port a running balance serves takes its listening socket over ({@code --takeover}: a restart).
     * {@code drainTimeoutMillis} is the drain timeout of the lines without one ({@link Options#DRAIN_FOREVER}: none).
     * {@code warmupMillis} bounds a warm-up before the lines start ({@code --warmup}; 0: none): with a restart's
     * hand-over, the old balance serves meanwhile.
     */
    public static Service start(Path file, boolean takeOver, long drainTimeoutMillis, long warmupMillis, PrintStream out,
                                PrintStream err, RunDirectory runDirectory, SystemdNotify notify)
            throws StartException, UsageException {
        List<ConfigFile.Entry> entries = load(file, drainTimeoutMillis);
        boolean debug = entries.stream().anyMatch(e -> e.config().debug());
        Transport transport = Transport.detect();
        EventLoopGroup loops = ProxyRuntime.newLoops(transport);
        Log log = new StderrLog(err, debug);
        NettyLog.routeTo(log);
        Service service = new Service(file, drainTimeoutMillis,
                new ProxyRuntime.Shared(transport, loops, log, out, false, runDirectory), notify);
        try {
            synchronized (service) {
                for (ConfigFile.Entry e : entries) {
                    ConfigFile.Entry line = new ConfigFile.Entry(e.line(), e.words(), e.config().withTakeover(takeOver));
                    service.serving.put(key(e.config()), service.startLine(line));
                }
                if (warmupMillis > 0) {
                    notify.status("warming up");
                }
                ProxyRuntime.warmUp(warmupMillis, transport, loops, log);
                for (ProxyRuntime r : service.serving.values()) {
                    r.serve();
                }
            }
        } catch (StartException e) {
            service.stop();
            throw e;
        }
        service.statusTimer = loops.next().scheduleAtFixedRate(() -> notify.status(service.status()),
                STATUS_SECONDS, STATUS_SECONDS, TimeUnit.SECONDS);
        notify.ready(service.status());
        return service;
    }

    /** The file's lines, those without a drain timeout of their own given {@code drainTimeoutMillis}. */
    private static List<ConfigFile.Entry> load(Path file, long drainTimeoutMillis) throws UsageException {
        List<ConfigFile.Entry> entries = new ArrayList<>();
        for (ConfigFile.Entry e : ConfigFile.load(file)) {
            entries.add(new ConfigFile.Entry(e.line(), e.words(), e.config().withDefaultDrainTimeout(drainTimeoutMillis)));
        }
        return entries;
    }

    /** An instance is its port and listen address. */
    private static String key(ProxyConfig c) {
        return c.port() + " " + c.bindText();
    }

    private ProxyRuntime startLine(ConfigFile.Entry e) throws StartException {
        try {
            return ProxyRuntime.start(e.config(), shared);
        } catch (StartException x) {
            throw new StartException(file + ":" + e.line() + ": " + x.getMessage(), x.exitStatus());
        }
    }

    /** "3 ports, 12 sessions": for systemd's status line. */
    private synchronized String status() {
        long sessions = 0;
        for (ProxyRuntime r : serving.values()) {
            sessions += r.sessions().inProgress();
        }
        long draining = 0;
        for (ProxyRuntime r : leaving) {
            draining += r.sessions().inProgress();
        }
        String text = (stopping ? "stopping: " : "") + plural(serving.size(), "port") + ", " + plural(sessions, "session");
        return draining > 0 ? text + ", " + plural(draining, "session") + " draining" : text;
    }

    private static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * SIGHUP: reads the file again and applies the difference (see the class comment). Nothing changes if the file is
     * invalid; a new line that cannot start (its port is taken) is logged and left out, the rest applies.
     */
    @Override
    public synchronized void reload() {
        if (stopping) {
            return;
        }
        notify.reloading("reloading " + file);
        Log log = shared.log();
        List<ConfigFile.Entry> entries;
        try {
            entries = load(file, drainTimeoutMillis);
        } catch (UsageException e) {
            log.error("reload failed, the configuration stays as it was: " + e.getMessage());
            notify.ready(status());
            return;
        }
        Map<String, ConfigFile.Entry> wanted = new LinkedHashMap<>();
        for (ConfigFile.Entry e : entries) {
            wanted.put(key(e.config()), e);
        }
        int added = 0;
        int changed = 0;
        int removed = 0;
        for (var it = serving.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ProxyRuntime> now = it.next();
            if (!wanted.containsKey(now.getKey())) {
                it.remove();
                leaving.add(now.getValue());
                now.getValue().drain(null);
                removed++;
            }
        }
        Map<String, ProxyRuntime> next = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigFile.Entry> w : wanted.entrySet()) {
            ProxyRuntime running = serving.get(w.getKey());
            if (running != null) {
                if (!running.config().withTakeover(false).equals(w.getValue().config())) {
                    running.reconfigure(w.getValue().config());
                    changed++;
                }
                next.put(w.getKey(), running);
                continue;
            }
            try {
                next.put(w.getKey(), startLine(w.getValue()).serve());
                added++;
            } catch (StartException e) {
                log.error("reload: " + e.getMessage());
            }
        }
        serving.clear();
        serving.putAll(next);
        leaving.removeIf(ProxyRuntime::hasStopped);
        log.notice("reloaded " + file + ": " + plural(serving.size(), "port") + " (" + added + " added, " + changed
                + " changed, " + removed + " removed)");
        notify.ready(status());
    }

    /**
     * SIGUSR1 ({@code systemctl restart}, a package upgrade): the service manager is starting a new balance, which
     * will take each port over ({@code --takeover}); until then this one serves on. From now on it is not the
     * service any more, so it tells systemd nothing; if no new balance has taken a port over after
     * {@link #RESTART_WAIT_SECONDS}, what is left drains as on SIGTERM.
     */
    @Override
    public void restarting() {
        synchronized (this) {
            if (stopping || restarting) {
                return;
            }
            restarting = true;
        }
        notify.close();
        shared.log().notice("restart: serving until the new balance takes the ports over (at most "
                + RESTART_WAIT_SECONDS + " s)");
        shared.loops().next().schedule(() -> {
            if (!stopping && instances().stream().anyMatch(r -> !r.isStopping())) {
                shared.log().notice("restart: no new balance took the ports over in " + RESTART_WAIT_SECONDS
                        + " s, stopping");
                drain(null);
            }
        }, RESTART_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** SIGTERM: every line drains; the process ends when the last session has. */
    @Override
    public boolean drain(Consumer<Boolean> lastWords) {
        List<ProxyRuntime> all;
        synchronized (this) {
            if (stopping) {
                return false;
            }
            stopping = true;
            all = new ArrayList<>(serving.values());
        }
        notify.stopping(status());
        for (ProxyRuntime r : all) {
            r.drain(null);
        }
        if (lastWords != null) {
            lastWords.accept(true);
        }
        return true;
    }

    @Override
    public void cutDrainShort() {
        for (ProxyRuntime r : instances()) {
            r.cutDrainShort();
        }
    }

    private synchronized List<ProxyRuntime> instances() {
        List<ProxyRuntime> all = new ArrayList<>(serving.values());
        all.addAll(leaving);
        return all;
    }

    /** Stops every line at once, then the event loops. */
    @Override
    public void stop() {
        synchronized (this) {
            stopping = true;
        }
        for (ProxyRuntime r : instances()) {
            r.stop();
        }
        finish();
    }

    private synchronized void finish() {
        if (stopped.getCount() == 0) {
            return;
        }
        if (statusTimer != null) {
            statusTimer.cancel(false);
        }
        shared.loops().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        notify.close();
        stopped.countDown();
    }

    /**
     * Blocks until every line has stopped: after a drain, after {@link #stop()}, or once the last line was stopped
     * by its own {@code kill}.
     */
    @Override
    public void awaitStop() throws InterruptedException {
        while (!stopped.await(100, TimeUnit.MILLISECONDS)) {
            if (instances().stream().allMatch(ProxyRuntime::hasStopped)) {
                finish();
            }
        }
    }

    @Override
    public void notice(String message) {
        shared.log().notice(message);
    }

    /** The instances serving now, by "PORT BIND" (for tests). */
    synchronized Map<String, ProxyRuntime> serving() {
        return new LinkedHashMap<>(serving);
    }
}
