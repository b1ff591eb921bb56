package org.balance.health;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.balance.health.CheckAction.Command;

/**
 * The {@code command} action: {@code /bin/sh -c} with the command line, stdin from /dev/null and its output
 * thrown away; passes on one of the {@code pass} exit codes. At the timeout the command and every process it
 * started that is still its descendant are killed (SIGKILL). Processes are started on one thread of their own,
 * so that forking never holds up an event loop; waiting for them costs no thread of ours.
 */
final class CommandProbe {
    private static final File NULL = new File("/dev/null");
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile ExecutorService spawner;
    private volatile boolean closed;

    void run(Attempt attempt, InetSocketAddress address, Command action) {
        String line = action.commandLine(address.getAddress().getHostAddress(), address.getPort());
        attempt.deadline(action.timeoutMillis(), () -> "timeout, killed");
        spawner().execute(() -> start(attempt, line, action));
    }

    private void start(Attempt attempt, String line, Command action) {
        if (closed) {
            attempt.errorLater("stopping");
            return;
        }
        Process p;
        try {
            p = new ProcessBuilder("/bin/sh", "-c", line)
                    .redirectInput(NULL)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | RuntimeException e) {
            attempt.errorLater("cannot run /bin/sh: " + e.getMessage());
            return;
        }
        running.add(p);
        attempt.loop().execute(() -> attempt.cleanup(() -> kill(p)));
        p.onExit().thenAccept(exited -> {
            running.remove(p);
            int code = exited.exitValue();
            attempt.loop().execute(() -> {
                if (action.pass().contains(code)) {
                    attempt.pass();
                } else {
                    attempt.fail("exit code " + code);
                }
            });
        });
    }

    /** Kills a command that is still running, and what it started. */
    private static void kill(Process p) {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private ExecutorService spawner() {
        ExecutorService s = spawner;
        if (s == null) {
            synchronized (this) {
                s = spawner;
                if (s == null) {
                    s = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "balance-check-commands");
                        t.setDaemon(true);
                        return t;
                    });
                    spawner = s;
                }
            }
        }
        return s;
    }

    /** Kills every command still running and stops the spawning thread. */
    void close() {
        closed = true;
        running.forEach(CommandProbe::kill);
        ExecutorService s = spawner;
        if (s != null) {
            s.shutdownNow();
        }
    }
}
