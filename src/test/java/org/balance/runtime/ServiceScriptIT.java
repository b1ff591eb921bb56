package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.balance.support.Processes;
import org.balance.support.SwitchableBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/deb/balance-service}, what {@code balance@NAME.service} runs: every command line of
 * /etc/balance/NAME.conf served by one {@code balance --config}, the script staying the main process. Started here in
 * a session of its own and stopped with SIGTERM to the main process, as systemd stops the unit (KillMode=process);
 * run against bin/balance. Reloads and restarts: {@link ServiceReloadIT}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServiceScriptIT {
    static final Path SCRIPT = Path.of(System.getProperty("balance.home", "."), "src/deb/balance-service").toAbsolutePath();

    @TempDir
    Path dir;

    private Process service(String config) throws Exception {
        return service(config, java.util.Map.of());
    }

    private Process service(String config, java.util.Map<String, String> environment) throws Exception {
        Path conf = dir.resolve("test.conf");
        Files.writeString(conf, config);
        ProcessBuilder pb = new ProcessBuilder("setsid", SCRIPT.toString(), conf.toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("BALANCE_LAUNCHER", BalanceProcess.launcher().toString());
        String jar = System.getProperty("balance.jar");
        if (jar != null) {
            pb.environment().put("BALANCE_JAR", jar);
        }
        pb.environment().put("BALANCE_RUNDIR", dir.toString());
        pb.environment().remove("BALANCE_WARMUP");
        pb.environment().putAll(environment);
        return pb.start();
    }

    private String stderr() throws Exception {
        return Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
    }

    /** SIGTERM to the main process, as {@code systemctl stop} does with KillMode=process. */
    private static void terminate(Process main) throws Exception {
        Processes.output("kill", "-TERM", String.valueOf(main.pid()));
    }

    /** The balance the script started: its only child. */
    private static long balance(Process service) {
        return service.children().findFirst().orElseThrow(() -> new AssertionError("no balance under the script")).pid();
    }

    private static int exitStatus(Process p) throws Exception {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "balance-service ended");
        return p.exitValue();
    }

    @AfterEach
    void killLeftovers() throws Exception {
        Processes.killWithEnvironment("BALANCE_RUNDIR=" + dir);
    }

    @Test
    void everyCommandLineOfTheFileIsServedByOneBalanceAndAllStopTogether() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY);
             Backend b = new Backend("b", Backend.IDENTIFY);
             Backend c = new Backend("c", Backend.IDENTIFY)) {
            int first = Net.freePort();
            int second = Net.freePort();
            Process service = service("# balance@test: two proxies\n"
                    + first + " " + a.channel() + " " + b.channel() + "   # round robin over two\n"
                    + "\n"
                    + "   #" + first + " " + a.channel() + "\n"
                    + "-t 3 \\\n"
                    + "    " + second + " '" + c.channel() + "'\n");
            Net.await("both listening", Duration.ofSeconds(30),
                    () -> Net.accepts("127.0.0.1", first) && Net.accepts("127.0.0.1", second));
            String launcher = BalanceProcess.launcher().toString();
            Path conf = dir.resolve("test.conf");
            assertEquals(List.of(balance(service)), Processes.withCommandLine(launcher + " --config " + conf + " --takeover"),
                    "one balance, the script's child, serves the file");
            // both channels of the first line serve (the await's probe sessions took turns too, so not in order)
            java.util.Set<String> seen = new java.util.TreeSet<>();
            for (int i = 0; i < 6 && seen.size() < 2; i++) {
                try (Socket s = Net.connect(first)) {
                    seen.add(Net.readLine(s));
                }
            }
            assertEquals(java.util.Set.of("a", "b"), seen, "round robin over both");
            try (Socket s = Net.connect(second)) {
                assertEquals("c", Net.readLine(s));
            }

            long jvm = balance(service);
            terminate(service);
            assertEquals(0, exitStatus(service), stderr());
            assertTrue(!Net.accepts("127.0.0.1", first) && !Net.accepts("127.0.0.1", second), "ports closed");
            Net.await("balance ended", Duration.ofSeconds(10), () -> ProcessHandle.of(jvm).isEmpty());
        }
    }

    /** The unit's BALANCE_WARMUP: the JIT warm-up runs before the ports accept, and says so. */
    @Test
    void theUnitsWarmUpRunsBeforeThePortsAccept() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            Process service = service(port + " " + a.channel() + "\n", java.util.Map.of("BALANCE_WARMUP", "1"));
            Net.await("the warm-up's report", Duration.ofSeconds(30), () -> {
                try {
                    return stderr().contains("warm-up: ") || !service.isAlive();
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(stderr().contains("warm-up: "), stderr());
            String launcher = BalanceProcess.launcher().toString();
            Path conf = dir.resolve("test.conf");
            assertEquals(List.of(balance(service)),
                    Processes.withCommandLine(launcher + " --config " + conf + " --takeover --warmup 1"));
            try (Socket s = Net.connect(port)) {
                assertEquals("a", Net.readLine(s));
            }
            terminate(service);
            assertEquals(0, exitStatus(service), stderr());
        }
    }

    @Test
    void whenTheBalanceDiesTheServiceFailsSoThatSystemdRestartsIt() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY)) {
            int first = Net.freePort();
            int second = Net.freePort();
            Process service = service(first + " " + a.channel() + "\n" + second + " " + a.channel() + "\n");
            Net.await("both listening", Duration.ofSeconds(30),
                    () -> Net.accepts("127.0.0.1", first) && Net.accepts("127.0.0.1", second));
            ProcessHandle.of(balance(service)).orElseThrow().destroyForcibly();
            assertEquals(128 + 9, exitStatus(service), "the status of the balance that died");
            Net.await("both stopped", Duration.ofSeconds(10),
                    () -> !Net.accepts("127.0.0.1", first) && !Net.accepts("127.0.0.1", second));
        }
    }

    @Test
    void theScriptStaysTheMainProcessAndPassesSigtermOnForAGracefulStop() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            Process service = service("# one proxy\n" + port + " " + a.channel() + "\n");
            Net.await("listening", Duration.ofSeconds(30), () -> Net.accepts("127.0.0.1", port));
            assertTrue(Processes.commandLine(service.pid()).contains("balance-service"), Processes.commandLine(service.pid()));
            Socket held = Net.connect(port);
            assertEquals("a", Net.readLine(held));
            service.destroy();
            Net.await("port closed", Duration.ofSeconds(10), () -> !Net.accepts("127.0.0.1", port));
            held.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", Net.readLine(held), "the session goes on while balance drains");
            assertTrue(service.isAlive(), "the stop waits for the drain");
            held.close();
            assertEquals(0, exitStatus(service), "a drained stop is a success");
        }
    }

    @Test
    void healthCheckOptionsPassThroughTheFileWithTheirQuotesAndBackslashes() throws Exception {
        try (Backend redis = new Backend("redis", SwitchableBackend.PROTOCOL)) {
            int port = Net.freePort();
            int dead = Net.freePort();
            Process service = service("# checked: PING, +PONG\n"
                    + "--check-interval 0.2 --check-fall 1 --check-send 'PING\\r\\n' \\\n"
                    + "    --check-expect \"+PONG\" -m 'channel=0.1:command=test %P = 1' "
                    + port + " " + redis.channel() + " 127.0.0.1:" + dead + "\n");
            Net.await("listening", Duration.ofSeconds(30), () -> Net.accepts("127.0.0.1", port));
            // the control socket is published just after the port is bound: ask only once it is there
            Path socket = dir.resolve("balance." + port + ".0.0.0.0");
            Net.await("control socket " + socket, Duration.ofSeconds(10), () -> Files.exists(socket));
            Net.await("the dead channel out, the live one in", Duration.ofSeconds(20), () -> {
                String show = monitorShow(port);
                return show.contains(" down ") && show.contains(" up ");
            });
            String show = monitorShow(port);
            assertTrue(show.contains("checks: connect send \"PING\\r\\n\" expect \"+PONG\""), show);
            assertTrue(show.contains("command \"test %P = 1\""), show);
            assertTrue(show.contains("exit code 1"), "the command ran with %P the dead channel's port: " + show);
            service.destroy();
            exitStatus(service);
        }
    }

    private String monitorShow(int port) {
        try {
            BalanceProcess.Result r = BalanceProcess.run(dir, java.util.Map.of(), "-c", "monitor show", String.valueOf(port));
            assertEquals(0, r.status(), r.stderr());
            return r.stdout();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFileWithoutACommandLineOrWithAUsageErrorFailsAtOnceWithoutRestart() throws Exception {
        Process empty = service("# nothing here yet\n\n");
        assertEquals(64, exitStatus(empty));
        assertTrue(stderr().contains(dir.resolve("test.conf") + ": no command line"), stderr());

        Process bad = service("-x 8888 127.0.0.1\n");
        assertEquals(64, exitStatus(bad));
        assertTrue(stderr().startsWith(dir.resolve("test.conf") + ":1: invalid option -- 'x'"), stderr());

        Files.delete(dir.resolve("test.conf"));
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), dir.resolve("missing.conf").toString())
                .redirectErrorStream(true);
        Process missing = pb.start();
        String said = new String(missing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(66, exitStatus(missing), said);
        assertTrue(said.contains(dir.resolve("missing.conf").toString()), said);
    }
}
