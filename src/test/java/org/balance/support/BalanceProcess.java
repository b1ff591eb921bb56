package org.balance.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/balance} as an operator would, with its own run directory, capturing what it prints. */
public final class BalanceProcess implements AutoCloseable {
    public final Process process;
    private final Path stdout;
    private final Path stderr;

    private BalanceProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static Path launcher() {
        return Path.of(System.getProperty("balance.home", "."), "bin", "balance").toAbsolutePath();
    }

    /** Starts bin/balance with the arguments; {@code env} is added to the environment. */
    public static BalanceProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        return start(workDir, env, command);
    }

    /** Starts {@code program} (a link to bin/balance, say) with the arguments, as a user typing its path would. */
    public static BalanceProcess startAs(Path workDir, Map<String, String> env, Path program, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(args));
        return start(workDir, env, command);
    }

    /** Starts bin/balance under a lower open-files limit (soft and hard), as {@code ulimit -n} would. */
    public static BalanceProcess startWithFileLimit(Path workDir, int limit, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$0\" \"$@\"",
                launcher().toString()));
        command.addAll(List.of(args));
        return start(workDir, Map.of(), command);
    }

    private static BalanceProcess start(Path workDir, Map<String, String> env, List<String> command) throws IOException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        String jar = System.getProperty("balance.jar");
        if (jar != null) {
            pb.environment().put("BALANCE_JAR", jar);
        }
        pb.environment().put("BALANCE_RUNDIR", workDir.toString());
        pb.environment().putAll(env);
        return new BalanceProcess(pb.start(), out, err);
    }

    /** Runs bin/balance to completion (at most 30 s) and returns the result. */
    public static Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
        try (BalanceProcess p = start(workDir, env, args)) {
            if (!p.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("balance " + String.join(" ", args) + " did not finish in 30 s");
            }
            return new Result(p.process.exitValue(), p.stdout(), p.stderr());
        }
    }

    /** Runs {@code program} (a link to bin/balance, say) to completion (at most 30 s) and returns the result. */
    public static Result runAs(Path workDir, Map<String, String> env, Path program, String... args) throws Exception {
        try (BalanceProcess p = startAs(workDir, env, program, args)) {
            if (!p.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(program + " " + String.join(" ", args) + " did not finish in 30 s");
            }
            return new Result(p.process.exitValue(), p.stdout(), p.stderr());
        }
    }

    public record Result(int status, String stdout, String stderr) {
    }

    public long pid() {
        return process.pid();
    }

    /** Open file descriptors of the process right now. */
    public int openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return (int) s.count();
        }
    }

    /** Resident memory in KiB (VmRSS). */
    public long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** User plus system CPU time in clock ticks. */
    public long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    public String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
