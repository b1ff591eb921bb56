package org.balance.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.balance.control.ControlClient;
import org.balance.control.RunDirectory;
import org.balance.log.NettyLog;
import org.balance.log.StderrLog;
import org.balance.runtime.Background;
import org.balance.runtime.ProcessTitle;
import org.balance.runtime.ProxyRuntime;
import org.balance.runtime.Running;
import org.balance.runtime.Service;
import org.balance.runtime.Signals;
import org.balance.runtime.SystemdNotify;
import org.balance.runtime.StartException;

/**
 * Entry point of {@code bin/balance}: parses the command line, starts what it asks for, and turns the outcome
 * into the exit status. The control client path ({@code -i}, {@code -c}) touches nothing but java.base so that
 * it starts fast; Netty is only loaded for the proxy.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        NettyLog.install();
        int status = run(args, System.in, System.out, System.err, System.getenv());
        NettyLog.routeTo(new StderrLog(System.err, false)); // what Netty said before a failed start
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        Options options;
        try {
            options = CommandLine.parse(args);
            if (options.mode() == Options.Mode.HELP) {
                out.print(Usage.text());
                return ExitStatus.OK;
            }
            if (options.mode() == Options.Mode.VERSION) {
                out.println("balance " + Usage.VERSION);
                return ExitStatus.OK;
            }
            showAsTypedCommand(args, env, options.debug(), err);
            if (options.mode() == Options.Mode.CONFIG_TEST) {
                List<ConfigFile.Entry> entries = ConfigFile.load(Path.of(options.configFile()));
                out.println(options.configFile() + ": " + entries.size() + " command line" + (entries.size() == 1 ? "" : "s")
                        + ", configuration OK");
                return ExitStatus.OK;
            }
            if (options.mode() == Options.Mode.SERVICE) {
                return runService(options, RunDirectory.fromEnvironment(env), out, err, env);
            }
            if (options.mode() != Options.Mode.PROXY) {
                int port = ProxyConfig.listenPort(options.port());
                return ControlClient.run(options, port, in, out, err, env);
            }
            ProxyConfig config = ProxyConfig.from(options);
            String notify = env.get(Background.NOTIFY_ENV);
            RunDirectory runDirectory = RunDirectory.fromEnvironment(env);
            if (notify != null) {
                return runDaemon(config, options.warmupMillis(), runDirectory, notify, out, err);
            }
            if (!config.foreground()) {
                return Background.detach(args, env, err);
            }
            return runForeground(config, options.warmupMillis(), runDirectory, out, err, env);
        } catch (UsageException e) {
            err.println(e.getMessage());
            if (e.showUsage()) {
                err.print(Usage.text());
            }
            return e.exitStatus();
        }
    }

    /**
     * In ps and pgrep, a running balance shows as the launcher's path as typed and the original arguments, as
     * the original did: the proxy in the foreground, the command waiting for the background start, the daemon
     * (which inherits the environment), and the control shell and command.
     */
    private static void showAsTypedCommand(String[] args, Map<String, String> env, boolean debug, PrintStream err) {
        String argv0 = env.get(ProcessTitle.ARGV0_ENV);
        if (argv0 == null || argv0.isEmpty()) {
            return;
        }
        String problem = ProcessTitle.set(argv0, List.of(args));
        if (problem != null && debug) {
            err.println("balance: process title not set: " + problem);
        }
    }

    private static int runForeground(ProxyConfig config, long warmupMillis, RunDirectory runDirectory, PrintStream out,
                                     PrintStream err, Map<String, String> env) {
        Signals signals = Signals.install();
        ProxyRuntime runtime;
        try {
            runtime = ProxyRuntime.start(config, false, out, err, runDirectory, warmupMillis);
        } catch (StartException e) {
            err.println(e.getMessage());
            return e.exitStatus();
        }
        runtime.notifyTo(SystemdNotify.fromEnvironment(env));
        return serveUntilStopped(runtime, signals);
    }

    /** {@code --config FILE}: every command line of FILE in this process, in the foreground; SIGHUP reads it again. */
    private static int runService(Options options, RunDirectory runDirectory, PrintStream out, PrintStream err,
                                  Map<String, String> env) throws UsageException {
        Signals signals = Signals.install();
        Service service;
        try {
            service = Service.start(Path.of(options.configFile()), options.takeover(), options.drainTimeoutMillis(),
                    options.warmupMillis(), out, err, runDirectory, SystemdNotify.fromEnvironment(env));
        } catch (StartException e) {
            err.println(e.getMessage());
            return e.exitStatus();
        }
        return serveUntilStopped(service, signals);
    }

    private static int runDaemon(ProxyConfig config, long warmupMillis, RunDirectory runDirectory, String notify,
                                 PrintStream out,
                                 PrintStream err) {
        Signals signals = Signals.install();
        ProxyRuntime runtime;
        try {
            runtime = ProxyRuntime.start(config, true, out, err, runDirectory, warmupMillis);
        } catch (StartException e) {
            Background.report(notify, e.exitStatus(), e.getMessage());
            return e.exitStatus();
        }
        Background.report(notify, ExitStatus.OK, "");
        return serveUntilStopped(runtime, signals);
    }

    /**
     * Serves until stopped: SIGTERM and {@code kill} drain ({@link ProxyRuntime#drain}), a second SIGTERM ends the
     * drain at once, SIGINT stops at once through the shutdown hook ({@link Signals}).
     */
    private static int serveUntilStopped(Running running, Signals signals) {
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "balance-shutdown"));
        signals.deliverTo(running);
        try {
            running.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.stop();
        }
        return ExitStatus.OK;
    }
}
