package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.balance.cli.Usage;
import org.balance.support.Backend;
import org.balance.support.Net;
import org.balance.support.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package built by {@code mvn -Pdeb package}, installed with {@code dpkg -i} on this machine (CI
 * runs as root on a fresh Debian machine), used as an operator would (on the PATH, with its manual page, as a
 * proxy, through its service's command), and purged again with nothing left running or installed.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DebianPackageIT {
    /** What systemd gives a service: no JAVA_HOME, no BALANCE_JAR, the standard PATH. */
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String MAINTAINER = DebianPackageLintIT.MAINTAINER;
    private static final List<String> FILES = List.of("/usr/bin/balance", "/usr/share/balance/balance.jar",
            "/usr/share/balance/balance-service", "/lib/systemd/system/balance@.service",
            "/usr/share/man/man1/balance.1.gz", "/usr/share/doc/balance/copyright",
            "/usr/lib/balance/libnetty_transport_native_epoll_x86_64.so");

    private static Path deb;

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void preconditions() throws Exception {
        assumeTrue(Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "not root: installing a package needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is missing: not a Debian machine");
        String built = System.getProperty("balance.deb");
        assertNotNull(built, "no package was built: run mvn -Pdeb verify (./test.sh does)");
        deb = Path.of(built);
        assertTrue(Files.isRegularFile(deb), deb + " missing: run mvn -Pdeb verify (./test.sh does)");
        Run installed = run(Map.of(), "dpkg-query", "-W", "-f", "${db:Status-Abbrev}|${Maintainer}", "balance");
        if (installed.status() == 0 && installed.out().startsWith("ii")) {
            assumeTrue(installed.out().endsWith("|" + MAINTAINER),
                    "another balance package is installed here (" + installed.out() + "): not replacing it");
        }
    }

    /** Runs a command with the system's PATH and only {@code env} besides, at most 120 s. */
    private static Run run(Map<String, String> env, String... command) throws Exception {
        File out = File.createTempFile("cmd", ".out");
        File err = File.createTempFile("cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                    .redirectOutput(out).redirectError(err);
            pb.environment().clear();
            pb.environment().put("PATH", SYSTEM_PATH);
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** dpkg with its arguments; while another dpkg or apt holds the lock (a shared machine), tries again, 2 min at most. */
    private static Run dpkg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg"));
        command.addAll(List.of(args));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            Run r = run(Map.of(), command.toArray(String[]::new));
            if (r.status() == 0 || !r.err().contains("lock") || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(2000);
        }
    }

    /** Processes run from the package's files. */
    private static List<String> packageProcesses() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    String line = Processes.commandLine(Long.parseLong(name));
                    if (line != null && (line.contains("/usr/bin/balance") || line.contains("/usr/share/balance/"))) {
                        found.add(name + " " + line);
                    }
                }
            }
        }
        return found;
    }

    @Test
    void installsWithDpkgServesAndPurgesWithNothingLeft() throws Exception {
        String instance = "it" + ProcessHandle.current().pid();
        Path conf = Path.of("/etc/balance", instance + ".conf");
        Map<String, String> rundir = Map.of("BALANCE_RUNDIR", dir.toString());
        try (Backend one = new Backend("one", Backend.IDENTIFY);
             Backend two = new Backend("two", Backend.IDENTIFY)) {
            try {
                Run install = dpkg("-i", deb.toString());
                assertEquals(0, install.status(), install.out() + install.err());
                Run status = run(Map.of(), "dpkg-query", "-W", "-f", "${db:Status-Abbrev}|${Version}|${Depends}", "balance");
                assertTrue(status.out().startsWith("ii |" + Usage.VERSION + "|"), "installed and configured: " + status.out());
                assertTrue(status.out().contains("java17-runtime-headless"), "depends on a Java 17 runtime: " + status.out());
                for (String file : FILES) {
                    assertTrue(Files.isRegularFile(Path.of(file)), file);
                }
                assertTrue(Files.isDirectory(Path.of("/etc/balance")) && Files.isDirectory(Path.of("/var/cache/balance")));
                Run user = run(Map.of(), "getent", "passwd", "balance");
                assertTrue(user.out().matches("balance:x:\\d+:\\d+:[^:]*:/nonexistent:/usr/sbin/nologin\n"),
                        "the package made the system user balance: " + user);
                assertTrue(Integer.parseInt(user.out().split(":")[2]) < 1000, "a system user: " + user.out());
                assertEquals("balance:balance", Files.getOwner(Path.of("/var/cache/balance")).getName() + ":"
                        + Files.readAttributes(Path.of("/var/cache/balance"), java.nio.file.attribute.PosixFileAttributes.class)
                                .group().getName(), "the service's user records the launcher's archives");
                assertEquals(List.of(), packageProcesses(), "nothing started on install");

                Run version = run(Map.of(), "balance", "--version");
                assertEquals(new Run(0, "balance " + Usage.VERSION + "\n", ""), version);
                assertEquals(new Run(0, "/usr/share/man/man1/balance.1.gz\n", ""), run(Map.of(), "man", "-w", "balance"));
                Run man = run(Map.of("MANWIDTH", "80"), "man", "--warnings=w", "balance");
                assertEquals("", man.err(), "man balance renders without warnings");
                assertTrue(man.out().contains("CONTROL COMMANDS"), man.out());

                proxyFromUsrBinBalanceForwards(one, two, rundir);
                assertTrue(Files.exists(Path.of("/var/cache/balance/balance-proxy.jsa")),
                        "the launcher keeps its class-data archive in /var/cache/balance");
                theServiceCommandRunsEveryLineOfItsConfiguration(one, two, conf, instance, rundir);
                theServiceRunsAsBalanceWithOnlyTheCapabilityToBindLowPorts(one, conf);
            } finally {
                Files.deleteIfExists(conf);
                Processes.killWithEnvironment("BALANCE_RUNDIR=" + dir);
                Processes.killWithEnvironment("BALANCE_RUNDIR=" + serviceRundir);
                run(Map.of(), "rm", "-rf", serviceRundir.toString());
                Run purge = dpkg("--purge", "balance");
                assertEquals(0, purge.status(), purge.out() + purge.err());
            }
        }
        for (String file : FILES) {
            assertFalse(Files.exists(Path.of(file)), file + " removed");
        }
        assertFalse(Files.exists(Path.of("/var/cache/balance")), "cache removed");
        assertFalse(Files.exists(Path.of("/etc/balance")), "the empty configuration directory removed");
        assertEquals(List.of(), packageProcesses(), "nothing left running");
        assertFalse(run(Map.of(), "dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "balance").out().startsWith("ii"));
    }

    /** A run directory like the service's /run/balance: the balance user's, 0755 (the test's own is root's, 0700). */
    private final Path serviceRundir = Path.of("/tmp", "balance-it-run-" + ProcessHandle.current().pid());

    /** A port below 1024 that nothing listens on. */
    private static int freeLowPort() throws IOException {
        for (int port = 1023; port > 600; port--) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.bind(new java.net.InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IOException("no free port below 1024");
    }

    /**
     * Without systemd, the unit's ExecStart as systemd starts it with the unit's User=, Group=,
     * AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges= and UMask= (setpriv and umask do the same): a
     * port below 1024 serves, a command= health check runs /bin/sh and a tool, the process shows in ps as the
     * script said, and root's balance -c reaches the balance user's control socket. (The unit's seccomp filter and
     * namespaces need systemd itself: systemd-analyze checks them above.)
     */
    private void theServiceRunsAsBalanceWithOnlyTheCapabilityToBindLowPorts(Backend one, Path conf) throws Exception {
        Files.createDirectories(serviceRundir);
        assertEquals(0, run(Map.of(), "chown", "balance:balance", serviceRundir.toString()).status());
        int low = freeLowPort();
        int dead = Net.freePort();
        Files.writeString(conf, "--check-interval 0.2 --check-fall 1 -m 'command=test -r /etc/balance/" + conf.getFileName()
                + " && test %P != " + dead + "' " + low + " " + one.channel() + " 127.0.0.1:" + dead + "\n");
        List<String> command = List.of("setsid", "setpriv", "--reuid=balance", "--regid=balance", "--init-groups",
                "--inh-caps=-all,+net_bind_service", "--ambient-caps=-all,+net_bind_service",
                "--bounding-set=-all,+net_bind_service", "--no-new-privs",
                "/bin/sh", "-c", "umask 0077 && exec \"$0\" \"$@\"", "/usr/share/balance/balance-service", conf.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("unprivileged.out").toFile())
                .redirectError(dir.resolve("unprivileged.err").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", SYSTEM_PATH);
        pb.environment().put("BALANCE_RUNDIR", serviceRundir.toString());
        Process service = pb.start();
        Map<String, String> rundir = Map.of("BALANCE_RUNDIR", serviceRundir.toString());
        try {
            Net.await("listening on " + low, Duration.ofSeconds(60), () -> Net.accepts("127.0.0.1", low));
            long pid = Processes.single("/usr/bin/balance --config " + conf + " --takeover");
            String status = Files.readString(Path.of("/proc", String.valueOf(pid), "status"));
            assertTrue(status.matches("(?s).*\nUid:\\s+(\\d+)\\s+\\1\\s+\\1\\s+\\1\n.*")
                    && !status.contains("\nUid:\t0\t"), status);
            assertTrue(status.contains("\nCapEff:\t0000000000000400\n") && status.contains("\nCapBnd:\t0000000000000400\n"),
                    "CAP_NET_BIND_SERVICE only: " + status);
            try (Socket s = Net.connect(low)) {
                assertEquals("one", Net.readLine(s));
            }
            Net.await("the health check's command ran", Duration.ofSeconds(30), () -> {
                try {
                    Run show = run(rundir, "balance", "-c", "monitor show", String.valueOf(low));
                    return show.status() == 0 && show.out().contains(" down ") && show.out().contains(" up ")
                            && show.out().contains("exit code 1");
                } catch (Exception e) {
                    return false;
                }
            });
            Processes.output("kill", "-TERM", String.valueOf(service.pid()));
            assertTrue(service.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
            assertEquals(0, service.exitValue(), Files.readString(dir.resolve("unprivileged.err")));
        } finally {
            service.destroyForcibly();
        }
    }

    private void proxyFromUsrBinBalanceForwards(Backend one, Backend two, Map<String, String> rundir) throws Exception {
        int port = Net.freePort();
        String channels = one.channel() + " " + two.channel();
        Run start = run(rundir, "/usr/bin/balance", String.valueOf(port), one.channel(), two.channel());
        assertEquals(new Run(0, "", ""), start, "started in the background");
        long pid = Processes.single("/usr/bin/balance " + port + " " + channels);
        assertTrue(Processes.mappedFiles(pid).contains("/usr/lib/balance/libnetty_transport_native_epoll_x86_64.so"),
                "Netty's epoll library loaded from /usr/lib/balance, not copied out of the jar");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 6 && seen.size() < 2; i++) {
            try (Socket s = Net.connect(port)) {
                seen.add(Net.readLine(s));
            }
        }
        assertEquals(java.util.Set.of("one", "two"), seen, "round robin through /usr/bin/balance");
        Run show = run(rundir, "balance", "-c", "show", String.valueOf(port));
        assertEquals(0, show.status(), show.err());
        assertTrue(show.out().contains(String.valueOf(two.port())), show.out());
        assertEquals(new Run(0, "shutdown complete, exiting.\n", ""), run(rundir, "balance", "-c", "kill", String.valueOf(port)));
        assertFalse(Net.accepts("127.0.0.1", port), "stopped");
        Net.await("the proxy gone", Duration.ofSeconds(10), () -> {
            try {
                return packageProcesses().isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Without systemd running (CI, containers), the unit's own ExecStart as installed: the balances of
     * /etc/balance/NAME.conf served by one balance under the script, stopped as systemd stops the unit
     * (KillMode=process: SIGTERM to the main process).
     * Where systemd-analyze is present, the unit also passes its checks.
     */
    private void theServiceCommandRunsEveryLineOfItsConfiguration(Backend one, Backend two, Path conf, String instance,
                                                                Map<String, String> rundir) throws Exception {
        String unit = Files.readString(Path.of("/lib/systemd/system/balance@.service"));
        Matcher exec = Pattern.compile("(?m)^ExecStart=(.*)$").matcher(unit);
        assertTrue(exec.find(), unit);
        List<String> command = new ArrayList<>(List.of("setsid"));
        for (String word : exec.group(1).trim().split("\\s+")) {
            command.add(word.replace("%i", instance));
        }
        assertEquals(List.of("setsid", "/usr/share/balance/balance-service", conf.toString()), command);

        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            Run verify = run(Map.of(), "systemd-analyze", "verify", "balance@" + instance + ".service");
            assertEquals(new Run(0, "", ""), verify, "systemd-analyze verify");
            double exposure = ServiceUnitTest.exposure(Path.of("/lib/systemd/system/balance@.service"));
            assertTrue(exposure <= ServiceUnitTest.MOST_EXPOSURE, "systemd-analyze security --offline=yes: " + exposure);
        }

        int first = Net.freePort();
        int second = Net.freePort();
        Files.writeString(conf, "# " + conf + ", one balance per line as in seed 004\n"
                + first + " " + one.channel() + "\n"
                + "#" + first + " " + two.channel() + "\n"
                + second + " " + two.channel() + "\n");
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("service.out").toFile()).redirectError(dir.resolve("service.err").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", SYSTEM_PATH);
        pb.environment().putAll(rundir);
        Process service = pb.start();
        try {
            Net.await("both listening", Duration.ofSeconds(60),
                    () -> Net.accepts("127.0.0.1", first) && Net.accepts("127.0.0.1", second));
            Processes.single("/usr/bin/balance --config " + conf + " --takeover");
            try (Socket s = Net.connect(first)) {
                assertEquals("one", Net.readLine(s));
            }
            try (Socket s = Net.connect(second)) {
                assertEquals("two", Net.readLine(s));
            }
            Processes.output("kill", "-TERM", String.valueOf(service.pid()));
            assertTrue(service.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
            assertEquals(0, service.exitValue(), Files.readString(dir.resolve("service.err")));
            assertFalse(Net.accepts("127.0.0.1", first) || Net.accepts("127.0.0.1", second), "ports closed");
        } finally {
            service.destroyForcibly();
        }
    }
}
