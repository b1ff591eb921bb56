package org.balance.runtime;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import org.balance.cli.ExitStatus;

/**
 * Going to the background without fork(2): the command the operator typed validates the command line, then
 * starts a second JVM in a new session ({@code setsid}), with standard input, output and error on /dev/null
 * and the working directory at /. That daemon binds the port and reports back over a private Unix socket,
 * "0" once it is serving or its exit status and message if it could not start; the first JVM prints the
 * message and exits with that status. So errors before detaching reach the terminal, as with the original.
 */
public final class Background {
    /** Set in the daemon's environment: where to report readiness. */
    public static final String NOTIFY_ENV = "BALANCE_NOTIFY";
    /** JVM options for the long-running daemon, set by bin/balance. */
    public static final String JVM_OPTS_ENV = "BALANCE_PROXY_JVM_OPTS";
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private Background() {
    }

    /** Starts the daemon and waits for its report. Returns the exit status for the command. */
    public static int detach(String[] args, Map<String, String> env, PrintStream err) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("balance-start-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path socket = dir.resolve("ready");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                Process daemon = spawn(args, env, socket);
                Timer timer = new Timer("balance-start-timeout", true);
                timer.schedule(new TimerTask() {
                    @Override
                    public void run() {
                        closeQuietly(server);
                    }
                }, START_TIMEOUT_MILLIS);
                daemon.onExit().thenRun(() -> closeQuietly(server));
                String report;
                try (SocketChannel c = server.accept(); InputStream in = Channels.newInputStream(c)) {
                    report = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    timer.cancel();
                    if (daemon.isAlive()) {
                        daemon.destroy();
                        err.println("balance: the background process did not report within "
                                + START_TIMEOUT_MILLIS / 1000 + " seconds, stopped it");
                        return ExitStatus.SOFTWARE;
                    }
                    err.println("balance: the background process exited with status " + daemon.exitValue()
                            + " before it was ready");
                    return ExitStatus.SOFTWARE;
                }
                timer.cancel();
                return relay(report, err);
            }
        } catch (IOException e) {
            err.println("balance: cannot start in the background: " + e.getMessage());
            return ExitStatus.OS_ERROR;
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("ready"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a leftover empty directory in the temp dir is harmless
                }
            }
        }
    }

    private static int relay(String report, PrintStream err) {
        int newline = report.indexOf('\n');
        String status = newline < 0 ? report.trim() : report.substring(0, newline).trim();
        String message = newline < 0 ? "" : report.substring(newline + 1);
        try {
            int code = Integer.parseInt(status);
            if (!message.isEmpty()) {
                err.print(message.endsWith("\n") ? message : message + "\n");
            }
            return code;
        } catch (NumberFormatException e) {
            err.println("balance: the background process sent an unreadable report");
            return ExitStatus.SOFTWARE;
        }
    }

    private static Process spawn(String[] args, Map<String, String> env, Path socket) throws IOException {
        List<String> command = new ArrayList<>();
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String opts = env.getOrDefault(JVM_OPTS_ENV, "").trim();
        if (!opts.isEmpty()) {
            command.addAll(List.of(opts.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(org.balance.cli.Main.class.getName());
        command.addAll(List.of(args));

        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(NOTIFY_ENV, socket.toString());
        String runDir = env.get("BALANCE_RUNDIR");
        if (runDir != null && !runDir.isEmpty()) {
            pb.environment().put("BALANCE_RUNDIR", Path.of(runDir).toAbsolutePath().toString());
        }
        return pb.start();
    }

    /** In the daemon: tells the waiting command how start-up went. */
    public static void report(String notifyPath, int status, String message) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(notifyPath));
             OutputStream out = Channels.newOutputStream(c)) {
            out.write((status + "\n" + (message == null ? "" : message)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the command that waited is gone (interrupted); nothing to tell
        }
    }

    private static void closeQuietly(ServerSocketChannel server) {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing to wake accept(); nothing more to do
        }
    }
}
