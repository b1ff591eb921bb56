package org.balance.control;

import static org.balance.support.Text.occurrences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.SwitchableBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks through {@code bin/balance}, driven as an operator would: {@code show}'s S column, the
 * operator's switches against the checks', and {@code monitor enable|disable|show}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthControlIT {
    private static final List<String> CHECKS = List.of("--check-interval", "0.2", "--check-timeout", "0.2",
            "--check-rise", "2", "--check-fall", "2");

    @TempDir
    Path runDir;
    private Balance balance;

    @AfterEach
    void stop() throws Exception {
        if (balance != null) {
            balance.close();
        }
    }

    private Balance start(List<String> options, String... channels) throws Exception {
        List<String> words = new java.util.ArrayList<>(options);
        words.addAll(List.of(channels));
        balance = Balance.start(runDir, words.toArray(String[]::new));
        return balance;
    }

    /** The S column of {@code show} for channel {@code c} of group 0. */
    private String s(int c) throws Exception {
        return balance.answer("show").lines().skip(1 + c).findFirst().orElseThrow().substring(12, 15);
    }

    /** {@code monitor show}'s row for channel {@code c} of group 0: check column, passed, failed. */
    private String[] monitorRow(int c) throws Exception {
        String row = balance.answer("monitor show").lines().filter(l -> l.startsWith("  0 " + String.format("%2d", c) + " "))
                .findFirst().orElseThrow();
        String[] w = row.trim().split(" +");
        return new String[] {w[2], w[5], w[6], w[7]}; // S, check, passed, failed
    }

    /** Waits (up to 15 s) until channel {@code c} has passed {@code more} checks more than it has now. */
    private void awaitMorePasses(int c, int more) throws Exception {
        long passed = Long.parseLong(monitorRow(c)[2]);
        Balance.waitFor(() -> {
            try {
                return Long.parseLong(monitorRow(c)[2]) >= passed + more;
            } catch (Exception e) {
                return false;
            }
        }, 15_000);
    }

    private Set<String> servers(int sessions) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < sessions; i++) {
            seen.add(balance.whoServes());
        }
        return seen;
    }

    @Test
    void theOperatorsDisableWinsOverPassingChecks() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL); Backend b = new Backend("B", SwitchableBackend.PROTOCOL)) {
            start(CHECKS, "127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
            String jvmArgs = org.balance.support.Processes.jvmArguments(balance.pid());
            assertTrue(jvmArgs.contains("-XX:MaxHeapFreeRatio") && !jvmArgs.contains("-Xint"),
                    "bin/balance took the long options for a control client and ran the proxy with its JVM flags: " + jvmArgs);
            assertEquals("ENA", s(0));
            assertEquals("channel 0 disabled\n", balance.answer("disable 0"));
            assertEquals("DIS", s(0), "disabled by the operator, as balance.fm shows it");
            awaitMorePasses(0, 5);
            String[] row = monitorRow(0);
            assertEquals("DIS", row[0], "five passing checks later, still the operator's");
            assertEquals("up", row[1], "the checks still watch it");
            assertEquals(Set.of("B"), servers(6));
            assertEquals("channel 0 enabled\n", balance.answer("enable 0"));
            assertEquals("ENA", s(0));
            assertEquals(Set.of("A", "B"), servers(6));
            String log = balance.log();
            assertTrue(log.contains("group 0 channel 0 (127.0.0.1:" + a.port() + ") disabled by the operator\n"), log);
            assertTrue(log.contains("group 0 channel 0 (127.0.0.1:" + a.port() + ") enabled by the operator\n"), log);
        }
    }

    @Test
    void monitorDisableBringsBackWhatTheChecksTookOutAndEnableStartsThemAgain() throws Exception {
        try (SwitchableBackend a = new SwitchableBackend("A"); Backend b = new Backend("B", SwitchableBackend.PROTOCOL)) {
            start(CHECKS, a.channel(), "127.0.0.1:" + b.port());
            a.set(SwitchableBackend.Mode.DEAD);
            Balance.waitFor(() -> sOrNull(0).equals("dis"), 15_000);
            String[] row = monitorRow(0);
            assertEquals("down", row[1]);
            assertTrue(Long.parseLong(row[3]) >= 2, "failed checks counted: " + String.join(" ", row));

            assertEquals("monitor is now disabled\n", balance.answer("monitor disable"));
            Balance.waitFor(() -> sOrNull(0).equals("ENA"), 5_000);
            assertEquals("monitor is already disabled\n", balance.answer("mo d"));
            String show = balance.answer("monitor");
            assertTrue(show.startsWith("monitor process running as pid " + balance.pid() + " and is disabled\n"), show);
            assertEquals("paused", monitorRow(0)[1]);
            assertEquals(Set.of("B"), servers(4), "A refused: sessions fail over, as without checks");

            assertEquals("monitor is now enabled\n", balance.answer("monitor enable"));
            assertEquals("monitor is already enabled\n", balance.answer("monitor en"));
            Balance.waitFor(() -> sOrNull(0).equals("dis"), 15_000);
            a.set(SwitchableBackend.Mode.UP);
            Balance.waitFor(() -> sOrNull(0).equals("ENA"), 15_000);
            assertEquals(Set.of("A", "B"), servers(4));

            String log = balance.log();
            String name = "group 0 channel 0 (127.0.0.1:" + a.port() + ")";
            assertEquals(2, occurrences(log, name + " disabled by its checks: refused"), log);
            assertEquals(1, occurrences(log, name + " enabled: monitoring disabled, nothing checks it"), log);
            assertEquals(1, occurrences(log, name + " enabled by its checks"), log);
            assertEquals(1, occurrences(log, "monitoring disabled by the operator"), log);
            assertEquals(1, occurrences(log, "monitoring enabled by the operator"), log);
        }
    }

    @Test
    void createdAndReassignedChannelsAreCheckedToo() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL); Backend c = new Backend("C", SwitchableBackend.PROTOCOL)) {
            int dead = Balance.freePort();
            start(CHECKS, "127.0.0.1:" + a.port());
            assertEquals("channel created\n", balance.answer("create 127.0.0.1 " + dead));
            assertEquals("DIS", s(1), "created disabled, as in the original");
            Balance.waitFor(() -> {
                try {
                    return Long.parseLong(monitorRow(1)[3]) >= 2;
                } catch (Exception e) {
                    return false;
                }
            }, 15_000);
            assertEquals("down", monitorRow(1)[1], "checked while disabled: the operator sees it fail before enabling it");
            assertEquals("channel 1 enabled\n", balance.answer("enable 1"));
            Balance.waitFor(() -> sOrNull(1).equals("dis"), 15_000);
            assertEquals("channel must be disabled to assign new address\n", balance.answer("assign 1 127.0.0.1 " + c.port()),
                    "with checks, only the operator's disable allows assign, as in balance.fm");
            assertEquals("channel 1 disabled\n", balance.answer("disable 1"));
            assertEquals("channel reassigned\n", balance.answer("assign 1 127.0.0.1 " + c.port()));
            assertEquals("channel 1 enabled\n", balance.answer("enable 1"));
            assertEquals(Set.of("A", "C"), servers(4));
            awaitMorePasses(1, 3);
            assertEquals("ENA", s(1), "the new address passes its checks");
        }
    }

    /** {@code show}'s row for channel {@code c} of group 0, split: GRP Type # S ip-address port c totalc maxc sent rcvd. */
    private String[] showRow(int c) throws Exception {
        return balance.answer("show").lines().skip(1 + c).findFirst().orElseThrow().trim().split(" +");
    }

    private long passedChecks(int c) {
        try {
            return Long.parseLong(monitorRow(c)[2]);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void checksCountNeitherAsSessionsNorAsBytesAndResetLeavesTheirCounts() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL)) {
            List<String> options = new java.util.ArrayList<>(CHECKS);
            options.addAll(List.of("--check-send", "PING\\r\\n", "--check-expect", "+PONG"));
            start(options, "127.0.0.1:" + a.port());
            Balance.waitFor(() -> passedChecks(0) >= 5, 15_000);
            for (int i = 0; i < 3; i++) {
                assertEquals("A", balance.whoServes());
            }
            Balance.waitFor(() -> {
                try {
                    return showRow(0)[6].equals("0");
                } catch (Exception e) {
                    return false;
                }
            }, 5_000);
            long passed = passedChecks(0);
            Balance.waitFor(() -> passedChecks(0) >= passed + 3, 15_000);
            String[] row = showRow(0);
            // three sessions of "who\n" (4 bytes) answered "A:who\n" (6 bytes); the checks' PINGs and PONGs not counted
            assertEquals(List.of("0", "3", "0", "12", "18"), List.of(row[6], row[7], row[8], row[9], row[10]), String.join(" ", row));

            long before = passedChecks(0);
            assertEquals("channel 0 counters reset\n", balance.answer("reset 0"));
            row = showRow(0);
            assertEquals(List.of("0", "0", "0"), List.of(row[7], row[9], row[10]));
            assertTrue(passedChecks(0) >= before, "reset zeroes the session counters, not the checks' counts");
        }
    }

    @Test
    void withoutChecksShowAndMonitorAreTheOriginalsAndBalanceFms() throws Exception {
        try (Backend a = new Backend("A", SwitchableBackend.PROTOCOL)) {
            start(List.of(), "127.0.0.1:" + a.port());
            assertEquals("channel 0 disabled\n", balance.answer("disable 0"));
            assertEquals("dis", s(0), "the original's S column");
            assertEquals("no monitor process running\n", balance.answer("monitor show"));
            assertTrue(balance.answer("help").contains("  monitor [enable|disable|show]  control the monitor process\n"));
        }
    }

    private String sOrNull(int c) {
        try {
            return s(c);
        } catch (Exception e) {
            return "";
        }
    }
}
