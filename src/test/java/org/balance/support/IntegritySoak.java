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
 * <pre>IntegritySoak [--sessions N] [--mib M] [--transport epoll|nio]</pre>
 * N counts the bulk sessions (each of M MiB, default 200 of 256); the early half-close case runs alongside.
 * Exits 1 if anything was lost.
 */
public final class IntegritySoak {
    private IntegritySoak() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = 200;
        long mib = 256;
        String transport = "epoll";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--transport" -> transport = args[++i];
                default -> {
                    System.err.println("usage: IntegritySoak [--sessions N] [--mib M] [--transport epoll|nio]");
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
        try {
            for (SessionEnding ending : SessionEnding.all(mib << 20)) {
                runners.add(new Runner(ending, work, transport, false));
            }
            runners.add(new Runner(new SessionEnding.ClientFinFirst(mib << 20), work, transport, true));
            for (int round = 0; bulk < sessions; round++) {
                for (Runner r : runners) {
                    boolean isBulk = r.ending.size > 0;
                    if (isBulk && bulk >= sessions) {
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
            for (Runner r : runners) {
                r.close();
            }
        }
        System.out.printf("%d bulk sessions of %d MiB and %d early half-close sessions on %s in %.0f s: %s%n",
                bulk, mib, small, transport, (System.nanoTime() - start) / 1e9,
                failures == 0 ? "nothing lost" : failures + " FAILED");
        System.exit(failures == 0 ? 0 : 1);
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

        Runner(SessionEnding ending, Path work, String transport, boolean chain) throws Exception {
            this.ending = ending;
            this.chain = chain;
            this.transport = transport;
            this.backend = new Backend("server", ending.server());
            this.rundir = Files.createTempDirectory(work, "run-");
            this.port = Net.freePort();
            List<String> argv = new ArrayList<>(List.of("-f", String.valueOf(port)));
            if (chain) {
                // the manual's example: 21 hops through this balance, then the server
                argv.addAll(List.of("localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!"));
            }
            argv.add(backend.channel());
            this.balance = BalanceProcess.start(rundir, Map.of("BALANCE_JVM_OPTS", "-Dbalance.transport=" + transport),
                    argv.toArray(String[]::new));
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
            String[] lines = out.strip().split("\n");
            String[] f = lines[lines.length - 1].trim().split("\\s+");
            // GRP Type # S ip-address port c totalc maxc sent rcvd
            return new long[] {Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[6])};
        }

        @Override
        public void close() {
            balance.close();
            backend.close();
        }
    }
}
