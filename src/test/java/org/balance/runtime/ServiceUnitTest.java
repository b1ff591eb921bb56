package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code src/deb/balance@.service} as systemd would judge it: least privilege (an unprivileged user with one
 * capability, the sandbox) rated by {@code systemd-analyze security --offline=yes}, and the settings the
 * reload, restart and stop design needs still there.
 */
class ServiceUnitTest {
    static final Path UNIT = Path.of(System.getProperty("balance.home", "."), "src/deb/balance@.service").toAbsolutePath().normalize();
    /** The most exposure we accept (systemd's scale: 0 best, 10 worst; up to 2.0 is "OK"). */
    static final double MOST_EXPOSURE = 2.0;
    private static final Pattern OVERALL = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

    /** Where systemd-analyze is installed, or null. */
    static String systemdAnalyze() {
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "systemd-analyze"))) {
                return dir + "/systemd-analyze";
            }
        }
        return null;
    }

    /** The overall exposure level {@code systemd-analyze security --offline=yes} gives {@code unit}. */
    static double exposure(Path unit) throws IOException, InterruptedException {
        String analyze = systemdAnalyze();
        File out = File.createTempFile("security", ".out");
        try {
            Process p = new ProcessBuilder(analyze, "security", "--offline=yes", "--no-pager", unit.toString())
                    .redirectInput(new File("/dev/null")).redirectErrorStream(true).redirectOutput(out).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze security finished");
            String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            Matcher m = OVERALL.matcher(text);
            assertTrue(m.find(), "no overall exposure level in:\n" + text);
            return Double.parseDouble(m.group(1));
        } finally {
            out.delete();
        }
    }

    private static List<String> settings(String key) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith(key + "=")) {
                values.add(line.substring(key.length() + 1).trim());
            }
        }
        return values;
    }

    @Test
    void systemdRatesTheUnitTwoOrBetter() throws Exception {
        assumeTrue(systemdAnalyze() != null, "systemd-analyze is not installed: the unit's exposure cannot be rated");
        double level = exposure(UNIT);
        assertTrue(level <= MOST_EXPOSURE, "systemd-analyze security --offline=yes " + UNIT + ": " + level
                + ", more than " + MOST_EXPOSURE);
    }

    @Test
    void runsAsTheBalanceUserWithOnlyTheCapabilityToBindLowPorts() throws Exception {
        assertEquals(List.of("balance"), settings("User"));
        assertEquals(List.of("balance"), settings("Group"));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), settings("AmbientCapabilities"));
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), settings("CapabilityBoundingSet"));
        assertEquals(List.of("yes"), settings("NoNewPrivileges"));
        assertEquals(List.of(), settings("DynamicUser"), "a static user: the package creates it");
        assertEquals(List.of(), settings("MemoryDenyWriteExecute"), "the JIT compiler needs writable code memory");
        assertEquals(List.of(), settings("PrivateUsers"), "capabilities in a user namespace bind no port below 1024");
        assertEquals(List.of("balance"), settings("CacheDirectory"), "the launcher's archives stay writable");
        assertEquals(List.of("balance"), settings("RuntimeDirectory"));
    }

    @Test
    void keepsWhatReloadRestartAndStopNeed() throws Exception {
        assertEquals(List.of("notify"), settings("Type"));
        assertEquals(List.of("all"), settings("NotifyAccess"));
        assertEquals(List.of("process"), settings("KillMode"));
        assertEquals(List.of("SIGUSR1"), settings("RestartKillSignal"));
        assertEquals(List.of("/usr/share/balance/balance-service --check /etc/balance/%i.conf", "/bin/kill -HUP $MAINPID"),
                settings("ExecReload"));
        assertEquals(List.of("BALANCE_DRAIN_TIMEOUT=60", "BALANCE_WARMUP=10"), settings("Environment"));
        assertEquals(List.of("90"), settings("TimeoutStopSec"));
        assertEquals(List.of("yes"), settings("RuntimeDirectoryPreserve"));
        assertFalse(settings("SystemCallFilter").isEmpty());
        assertTrue(settings("SystemCallFilter").get(0).contains("@system-service"),
                "fork and exec for the health checks' command=");
    }
}
