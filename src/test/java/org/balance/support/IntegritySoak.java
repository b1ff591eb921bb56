package org.balance.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The integrity cases of {@link SessionEnding} in a loop through real {@code bin/balance} processes, as an operator
 * runs them: each case gets its own backend and its own balance on the chosen transport, plus the manual's
 * self-referencing chain. Every session is checked byte for byte both ways, and the channel's counters, read
 * with {@code bin/balance -c show}, must move by exactly the session's bytes. Run by {@code scripts/integrity-soak}.
 *
 * <pre>IntegritySoak [--sessions N] [--mib M] [--transport epoll|nio] [--reloads R [--reload-every MS]]</pre>
 * N counts the bulk sessions (each of M MiB, default 200 of 256); the early half-close case runs alongside.
 * With {@code --reloads R}, every balance runs as {@code balance --config FILE} and gets SIGHUP every MS
 * milliseconds (default 1000), R times in all, each time with a changed file (its connect timeout and an extra
 * channel in a second group come and go), while the sessions run. Exits 1 if anything was lost, or if fewer than
 * R reloads were done while sessions ran.
 */
public final class IntegritySoak {
    private IntegritySoak() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = 200;
        long mib = 256;
        String transport = "epoll";
        int reloads = 0;
        long reloadEvery = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--transport" -> transport = args[++i];
                case "--reloads" -> reloads = Integer.parseInt(args[++i]);
                case "--reload-every" -> reloadEvery = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: IntegritySoak [--sessions N] [--mib M] [--transport epoll|nio]"
                            + " [--reloads R [--reload-every MS]]");
                    System.exit(64);
                }
            }
        }
        Path work = Files.createTempDirectory("integrity-soak-");
        List<Runner> runners = new ArrayList<>();
        int failures = 0;
        int bulk = 0;
        int small = 0;
        long start = System.nanoTime();
        Reloader reloader = null;
        try {
            boolean config = reloads > 0;
            for (SessionEnding ending : SessionEnding.all(mib << 20)) {
                runners.add(new Runner(ending, work, transport, false, config));
            }
            runners.add(new Runner(new SessionEnding.ClientFinFirst(mib << 20), work, transport, true, config));
            if (config) {
                reloader = new Reloader(runners, reloads, reloadEvery);
            }
            for (int round = 0; bulk < sessions || reloader != null && !reloader.done(); round++) {
                for (Runner r : runners) {
                    boolean isBulk = r.ending.size > 0;
                    if (isBulk && bulk >= sessions && (reloader == null || reloader.done())) {
                        continue;
                    }
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        r.ending.run(r.port, r::counters, isBulk ? 1 : 10);
                        outcome = "intact";
                    } catch (AssertionError | Exception e) {
                        outcome = "FAILED: " + e.getMessage();
                        failures++;
                    }
                    if (isBulk) {
                        bulk++;
                    } else {
                        small += 10;
                    }
                    System.out.printf("%4d %-10s %-40s %6.1f s  %s%n", isBulk ? bulk : small, transport, r.label(),
                            (System.nanoTime() - t0) / 1e9, outcome);
                }
            }
        } finally {
            if (reloader != null) {
                reloader.stop();
            }
            for (Runner r : runners) {
                r.close();
            }
        }
        String reloaded = reloader == null ? "" : ", " + reloader.count() + " reloads of every balance meanwhile";
        if (reloader != null && reloader.count() < reloads) {
            failures++;
            reloaded += " (FAILED: " + reloads + " asked)";
        }
        System.out.printf("%d bulk sessions of %d MiB and %d early half-close sessions on %s in %.0f s%s: %s%n",
                bulk, mib, small, transport, (System.nanoTime() - start) / 1e9, reloaded,
                failures == 0 ? "nothing lost" : failures + " FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Reloads every balance with a changed file (SIGHUP), every {@code everyMillis}, {@code total} times. */
    private static final class Reloader {
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        private final int total;

        Reloader(List<Runner> runners, int total, long everyMillis) {
            this.total = total;
            thread = new Thread(() -> {
                try {
                    for (int i = 1; i <= total; i++) {
                        Thread.sleep(everyMillis);
                        for (Runner r : runners) {
                            r.reload(i % 2 == 1);
                        }
                        count.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    // stopped
                } catch (IOException e) {
                    System.out.println("reload FAILED: " + e);
                }
            }, "reloader");
            thread.start();
        }

        boolean done() {
            return count.get() >= total;
        }

        int count() {
            return count.get();
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    /** One case's backend and balance process. */
    private static final class Runner implements AutoCloseable {
        final SessionEnding ending;
        final boolean chain;
        final Backend backend;
        final BalanceProcess balance;
        final Path rundir;
        final int port;
        final String transport;
        private final List<String> channels = new ArrayList<>();
        private final Path file;
        private final int spare;

        Runner(SessionEnding ending, Path work, String transport, boolean chain, boolean config) throws Exception {
            this.ending = ending;
            this.chain = chain;
            this.transport = transport;
            this.backend = new Backend("server", ending.server());
            this.rundir = Files.createTempDirectory(work, "run-");
            this.port = Net.freePort();
            this.spare = Net.freePort();
            if (chain) {
                // the manual's example: 21 hops through this balance, then the server
                channels.addAll(List.of("localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!"));
            }
            channels.add(backend.channel());
            Map<String, String> env = Map.of("BALANCE_JVM_OPTS", "-Dbalance.transport=" + transport);
            if (config) {
                file = rundir.resolve("soak.conf");
                write(false);
                this.balance = BalanceProcess.start(rundir, env, "--config", file.toString());
            } else {
                file = null;
                List<String> argv = new ArrayList<>(List.of("-f", String.valueOf(port)));
                argv.addAll(channels);
                this.balance = BalanceProcess.start(rundir, env, argv.toArray(String[]::new));
            }
            // Ready once its control socket is there (made after the port is bound). Not by connecting to the port:
            // that probe would be a session at the backend, whose result the first real session would then read.
            Net.await("balance on port " + port, java.time.Duration.ofSeconds(60), () -> hasControlSocket(rundir));
        }

        private static boolean hasControlSocket(Path rundir) {
            try (var files = Files.list(rundir)) {
                // the rendezvous socket, balance.PORT.ADDRESS (the directory also holds BalanceProcess's output files)
                return files.anyMatch(f -> f.getFileName().toString().startsWith("balance."));
            } catch (IOException e) {
                return false;
            }
        }

        String label() {
            return ending.name() + (chain ? " (chain)" : "");
        }

        /**
         * The file's one command line: the channels, and in the {@code changed} version another connect timeout
         * and one more group with a channel that is never reached (the groups before it always take the session).
         */
        private void write(boolean changed) throws IOException {
            String line = (changed ? "-t 4 " : "-t 5 ") + port + " " + String.join(" ", channels)
                    + (changed ? " ! 127.0.0.1:" + spare : "");
            Path tmp = file.resolveSibling("soak.conf.new");
            Files.writeString(tmp, line + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        /** Changes the file and sends SIGHUP. */
        void reload(boolean changed) throws IOException {
            write(changed);
            new ProcessBuilder("kill", "-HUP", String.valueOf(balance.pid())).inheritIO().start();
        }

        /** {sent, rcvd, c} of the channel that leads to the backend (the chain's last group), from -c show. */
        long[] counters() throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder(BalanceProcess.launcher().toString(), "-c", "show", String.valueOf(port))
                    .redirectErrorStream(true);
            pb.environment().put("BALANCE_RUNDIR", rundir.toString());
            String jar = System.getProperty("balance.jar");
            if (jar != null) {
                pb.environment().put("BALANCE_JAR", jar);
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("bin/balance -c show failed: " + out);
            }
            // GRP Type # S ip-address port c totalc maxc sent rcvd: the backend's row
            for (String line : out.strip().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 11 && f[5].equals(String.valueOf(backend.port()))) {
                    return new long[] {Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[6])};
                }
            }
            throw new IOException("no row for the backend's port " + backend.port() + " in: " + out);
        }

        @Override
        public void close() {
            balance.close();
            backend.close();
        }
    }
}
