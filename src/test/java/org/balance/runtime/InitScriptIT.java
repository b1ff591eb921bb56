package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.balance.support.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004: a user's Debian init script that starts one balance per line of {@code /opt/balance/balance.conf}
 * through {@code xargs -l /opt/balance/balance}, calls it running when {@code ps -edf | grep /opt/balance/balance}
 * finds something, and stops it with {@code kill -9} of the pids it finds. The script is taken from the seed
 * document as it is; the only change is that {@code /opt/} becomes a temporary directory's {@code opt/}, so the
 * test needs no real /opt/balance and cannot touch anything outside its own directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InitScriptIT {
    @TempDir
    Path root;

    /**
     * The seed document, a user's write-up with the script, kept verbatim in the test resources (a copy of the
     * project's seed 004) so that the test runs the same text on any clone.
     */
    static Path seed() throws IOException {
        Path copy = Path.of(System.getProperty("balance.home", "."), "src", "test", "resources", "seeds",
                "004-init-script-writeup.md").toAbsolutePath();
        if (!Files.isRegularFile(copy)) {
            throw new AssertionError("seed 004 missing: " + copy);
        }
        return copy;
    }

    /** The shell script of the seed: the code block that starts with #!/bin/bash, without its indentation. */
    static String script(String seed) {
        List<String> lines = seed.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("```") && i + 1 < lines.size()
                    && lines.get(i + 1).strip().equals("#!/bin/bash")) {
                String indent = lines.get(i + 1).substring(0, lines.get(i + 1).indexOf('#'));
                StringBuilder script = new StringBuilder();
                for (int k = i + 1; k < lines.size() && !lines.get(k).strip().startsWith("```"); k++) {
                    String line = lines.get(k);
                    script.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
                }
                return script.toString();
            }
        }
        throw new AssertionError("no #!/bin/bash code block in the seed");
    }

    private record Run(int status, String output) {
    }

    private Run initScript(String action) throws Exception {
        Path out = Files.createTempFile(root, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(root.resolve("etc/init.d/balance").toString(), action)
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        String jar = System.getProperty("balance.jar");
        if (jar != null) {
            pb.environment().put("BALANCE_JAR", jar);
        }
        pb.environment().put("BALANCE_RUNDIR", root.resolve("run").toString());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("/etc/init.d/balance " + action + " did not finish in 90 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void theSeedsInitScriptStartsReportsRestartsAndStopsBalanceUnchanged() throws Exception {
        String original = script(Files.readString(seed(), StandardCharsets.UTF_8));
        assertTrue(original.contains("xargs -l $execFile") && original.contains("kill -9"), original);
        String opt = root.resolve("opt") + "/";
        String script = original.replace("/opt/", opt);
        assertEquals(2, (script.length() - original.length()) / (opt.length() - "/opt/".length()),
                "the seed names /opt/ twice: base=/opt/$name and grep \"/opt/balance/balance\"");

        Path base = Files.createDirectories(root.resolve("opt/balance"));
        Path exec = Files.createSymbolicLink(base.resolve("balance"), BalanceProcess.launcher());
        Path sh = base.resolve("balance.sh");
        Files.writeString(sh, script);
        Files.setPosixFilePermissions(sh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(Files.createDirectories(root.resolve("etc/init.d")).resolve("balance"), sh);

        try (Backend one = new Backend("one", Backend.IDENTIFY);
             Backend two = new Backend("two", Backend.IDENTIFY);
             Backend three = new Backend("three", Backend.IDENTIFY)) {
            int first = Net.freePort();
            int second = Net.freePort();
            List<String> commandLines = List.of(
                    exec + " " + first + " " + one.channel() + " " + two.channel(),
                    exec + " " + second + " " + three.channel());
            Files.writeString(base.resolve("balance.conf"), "#" + base.resolve("balance.conf") + "\n"
                    + first + " " + one.channel() + " " + two.channel() + "\n"
                    + "#" + first + " " + one.channel() + "\n"
                    + second + " " + three.channel() + "\n");
            try {
                assertEquals(new Run(0, "balance is stopped.\n"), initScript("status"));

                assertEquals(new Run(0, "balance has been started.\n"), initScript("start"));
                List<Long> started = pids(commandLines);
                assertServes(first, "one", "two");
                assertServes(second, "three");
                assertEquals(new Run(0, "balance is running.\n"), initScript("status"));
                assertEquals(new Run(0, "balance is already running.\n"), initScript("start"));
                assertEquals(started, pids(commandLines), "a second start starts nothing");

                assertEquals(new Run(0, "balance stopped normally.\nbalance has been started.\n"), initScript("restart"));
                List<Long> restarted = pids(commandLines);
                for (Long pid : started) {
                    String line = Processes.commandLine(pid);
                    assertTrue(line == null || line.isEmpty(), "old balance " + pid + " gone (a zombie at most): " + line);
                    assertFalse(restarted.contains(pid));
                }
                assertServes(first, "one", "two");
                assertServes(second, "three");

                assertEquals(new Run(0, "balance stopped normally.\n"), initScript("stop"));
                Net.await("ports closed", Duration.ofSeconds(10),
                        () -> !Net.accepts("127.0.0.1", first) && !Net.accepts("127.0.0.1", second));
                assertEquals(new Run(0, "balance is stopped.\n"), initScript("status"));
            } finally {
                Processes.killAll(exec.toString());
                Processes.killWithEnvironment("BALANCE_RUNDIR=" + root.resolve("run"));
            }
        }
    }

    /** The one pid for each command line, in order; fails if any is missing or doubled. */
    private static List<Long> pids(List<String> commandLines) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String line : commandLines) {
            pids.add(Processes.single(line));
        }
        assertNotEquals(pids.get(0), pids.get(1));
        return pids;
    }

    /** Connections to {@code port} reach each of the named backends (round robin), and no other. */
    private static void assertServes(int port, String... backends) throws IOException {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 3 * backends.length && seen.size() < backends.length; i++) {
            try (Socket s = Net.connect(port)) {
                seen.add(Net.readLine(s));
            }
        }
        assertEquals(new java.util.TreeSet<>(List.of(backends)), seen, "port " + port);
    }
}
