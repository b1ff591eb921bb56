package org.balance.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What ps and pgrep see of processes: their command lines from /proc, and the tools' own answers. */
public final class Processes {
    private Processes() {
    }

    /** /proc/PID/cmdline as ps shows it: arguments joined by spaces, trailing NULs dropped; null if gone. */
    public static String commandLine(long pid) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
        } catch (IOException e) {
            return null;
        }
        int end = raw.length;
        while (end > 0 && raw[end - 1] == 0) {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
    }

    /** Pids of the processes whose command line (as ps shows it) is exactly {@code line}. */
    public static List<Long> withCommandLine(String line) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && line.equals(commandLine(Long.parseLong(name)))) {
                    pids.add(Long.parseLong(name));
                }
            }
        }
        return pids;
    }

    /** The files mapped into process {@code pid}'s memory (libraries, the jar, ...), from /proc/PID/maps. */
    public static List<String> mappedFiles(long pid) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(pid), "maps"))) {
            // address perms offset dev inode path: the path is the sixth field, when there is one
            return lines.map(l -> l.split("\\s+", 6)).filter(f -> f.length == 6 && !f[5].isEmpty()).map(f -> f[5]).distinct().toList();
        }
    }

    /**
     * The JVM options of a running proxy, asked with {@code jcmd PID VM.command_line}: /proc/PID/cmdline shows the
     * process title (the launcher and the original arguments), not the java command line.
     */
    public static String jvmArguments(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "VM.command_line")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("jcmd did not finish");
        }
        return out.lines().filter(l -> l.startsWith("jvm_args:")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    /** The only process whose command line is exactly {@code line}. */
    public static long single(String line) throws IOException {
        List<Long> pids = withCommandLine(line);
        if (pids.size() != 1) {
            throw new AssertionError("expected one process [" + line + "], found " + pids);
        }
        return pids.get(0);
    }

    /** Kills (SIGKILL) every process whose command line contains {@code fragment}: cleanup after a failed test. */
    public static void killAll(String fragment) throws IOException {
        killWhere(pid -> {
            String line = commandLine(pid);
            return line != null && line.contains(fragment);
        });
    }

    /**
     * Kills (SIGKILL) every process whose environment holds {@code entry} ({@code NAME=value}): finds the
     * balances a test started whatever their command line shows.
     */
    public static void killWithEnvironment(String entry) throws IOException {
        byte[] wanted = (entry + "\0").getBytes(StandardCharsets.UTF_8);
        killWhere(pid -> {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ"));
                outer:
                for (int i = 0; i + wanted.length <= env.length; i++) {
                    if (i > 0 && env[i - 1] != 0) {
                        continue;
                    }
                    for (int k = 0; k < wanted.length; k++) {
                        if (env[i + k] != wanted[k]) {
                            continue outer;
                        }
                    }
                    return true;
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void killWhere(java.util.function.LongPredicate test) throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && test.test(Long.parseLong(name))) {
                    ProcessHandle.of(Long.parseLong(name)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /** Runs a command (ps, pgrep) and returns its standard output; fails on a timeout. */
    public static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
