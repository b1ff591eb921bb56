package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.balance.support.BalanceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two balances behind keepalived (VRRP) sharing a virtual address, in network namespaces the test makes and
 * removes: {@code client}, {@code lb1}, {@code lb2} and {@code srv} joined by a bridge in a {@code sw} namespace,
 * addresses in 10.250.0.0/24 that exist only there. keepalived's {@code track_script} is {@code balance -c version
 * PORT}, so a dead balance gives the address up. A client opens a session every 50 ms from 20 source addresses
 * while the master loses, in turn, its keepalived (SIGKILL), its balance (SIGKILL), and everything (its link down,
 * its processes killed): each time new sessions must succeed through the other machine within 4 s of the loss and
 * none may fail after the first that did. With {@code --hash maglev} and the channels listed in another order on
 * each machine, both send every client to the same backend, before and across every takeover.
 * The configuration is {@code src/test/resources/failover/keepalived.conf.in}, shown in docs/SCALE-OUT.md.
 * Root only, with {@code ip netns} and keepalived (test.sh installs it); skipped with the reason otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FailoverPairIT {
    private static final String NET = "10.250.0.";
    private static final String VIP = NET + "100";
    private static final int PORT = 8000;
    private static final int BACKEND_PORT = 9000;
    private static final String LB1 = NET + "11";
    private static final String LB2 = NET + "12";
    private static final List<String> BACKENDS = List.of(NET + "21", NET + "22", NET + "23", NET + "24");
    private static final List<String> SOURCES = new ArrayList<>();
    private static final double TAKEOVER_LIMIT = 4.0;
    private static final Path KEEPALIVED = Path.of("/usr/sbin/keepalived");
    private static final Path HOME = Path.of(System.getProperty("balance.home", ".")).toAbsolutePath();
    private static final Path PAIR = HOME.resolve("src/test/resources/failover/pair.py");
    private static final Path TEMPLATE = HOME.resolve("src/test/resources/failover/keepalived.conf.in");

    static {
        for (int i = 50; i < 70; i++) {
            SOURCES.add(NET + i);
        }
    }

    @TempDir
    Path dir;

    /** Namespace names of this run: unique, so that two runs on one machine never meet. */
    private final String prefix = "bfo" + ProcessHandle.current().pid() % 100000 + "-";
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> balances = new LinkedHashMap<>();
    private final Map<String, Process> keepaliveds = new LinkedHashMap<>();
    private final List<String> figures = new ArrayList<>();

    private String ns(String name) {
        return prefix + name;
    }

    @BeforeAll
    static void preconditions() throws Exception {
        assumeTrue(Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "not root: network namespaces and VRRP need root (CI runs as root)");
        assumeTrue(Files.isExecutable(KEEPALIVED), KEEPALIVED + " missing: test.sh installs Debian's keepalived as root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 missing: test.sh installs it");
        String probe = "bfo-probe-" + ProcessHandle.current().pid();
        Run added = run("ip", "netns", "add", probe);
        run("ip", "netns", "del", probe);
        assumeTrue(added.status() == 0, "ip netns add is not permitted here: " + added.out());
    }

    private record Run(int status, String out) {
    }

    /** Runs a command to its end (at most 30 s), output and errors together. */
    private static Run run(String... command) throws IOException, InterruptedException {
        File out = File.createTempFile("cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out)
                    .redirectInput(new File("/dev/null")).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
            }
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
        }
    }

    /** Runs a command that must succeed; returns its output. */
    private static String must(String... command) throws IOException, InterruptedException {
        Run r = run(command);
        if (r.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.status() + ": " + r.out());
        }
        return r.out();
    }

    /** Starts a long-running command inside namespace {@code name}, its output in {@code dir/log}. */
    private Process startIn(String name, String log, Map<String, String> env, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        full.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(full).redirectInput(new File("/dev/null"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String log(String log) {
        try {
            return Files.readString(dir.resolve(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void await(String what, double seconds, BooleanSupplier condition, java.util.function.Supplier<String> detail)
            throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what + "\n" + detail.get());
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- the network

    /** The namespaces, the bridge and one veth pair per machine; {@code eth0} inside each. */
    private void network() throws Exception {
        String sw = ns("sw");
        must("ip", "netns", "add", sw);
        namespaces.add(sw);
        must("ip", "-n", sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        must("ip", "-n", sw, "link", "set", "br0", "up");
        machine("client", NET + "5");
        machine("lb1", LB1);
        machine("lb2", LB2);
        machine("srv", BACKENDS.get(0));
        for (String a : BACKENDS.subList(1, BACKENDS.size())) {
            must("ip", "-n", ns("srv"), "addr", "add", a + "/24", "dev", "eth0");
        }
        for (String a : SOURCES) {
            must("ip", "-n", ns("client"), "addr", "add", a + "/24", "dev", "eth0");
        }
    }

    private void machine(String name, String address) throws Exception {
        String n = ns(name);
        must("ip", "netns", "add", n);
        namespaces.add(n);
        must("ip", "-n", n, "link", "set", "lo", "up");
        must("ip", "-n", ns("sw"), "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", n);
        must("ip", "-n", ns("sw"), "link", "set", name, "master", "br0", "up");
        must("ip", "-n", n, "addr", "add", address + "/24", "dev", "eth0");
        must("ip", "-n", n, "link", "set", "eth0", "up");
    }

    private boolean holdsVip(String lb) {
        try {
            return run("ip", "-n", ns(lb), "-4", "-o", "addr", "show", "dev", "eth0").out().contains(" " + VIP + "/");
        } catch (Exception e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- balance and keepalived

    private Path runDir(String lb) {
        return dir.resolve(lb + "-run");
    }

    private Map<String, String> balanceEnv(String lb) {
        Map<String, String> env = new TreeMap<>();
        env.put("BALANCE_RUNDIR", runDir(lb).toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String jar = System.getProperty("balance.jar");
        if (jar != null) {
            env.put("BALANCE_JAR", jar);
        }
        return env;
    }

    /** The same hash group on both machines, listed in another order on the second: Maglev does not mind. */
    private void startBalance(String lb) throws Exception {
        List<String> channels = new ArrayList<>();
        for (String b : BACKENDS) {
            channels.add(b + ":" + BACKEND_PORT);
        }
        if (lb.equals("lb2")) {
            Collections.reverse(channels);
        }
        List<String> command = new ArrayList<>(List.of(BalanceProcess.launcher().toString(), "-f", "--hash", "maglev",
                String.valueOf(PORT)));
        command.addAll(channels);
        command.add("%");
        Files.createDirectories(runDir(lb));
        Path socket = runDir(lb).resolve("balance." + PORT + ".0.0.0.0");
        Files.deleteIfExists(socket);
        balances.put(lb, startIn(lb, lb + "-balance.log", balanceEnv(lb), command.toArray(String[]::new)));
        await(lb + "'s balance serving", 60, () -> Files.exists(socket), () -> log(lb + "-balance.log"));
    }

    /** keepalived.conf.in with this machine's values; the check is bin/balance -c version with this run's paths. */
    private Path keepalivedConf(String lb, int priority) throws IOException {
        StringBuilder check = new StringBuilder("/usr/bin/env");
        balanceEnv(lb).forEach((k, v) -> check.append(' ').append(k).append('=').append(v));
        check.append(' ').append(BalanceProcess.launcher()).append(" -c version ").append(PORT);
        String conf = Files.readString(TEMPLATE, StandardCharsets.UTF_8)
                .replace("@ROUTER_ID@", lb)
                .replace("@CHECK@", check.toString())
                .replace("@INTERFACE@", "eth0")
                .replace("@PRIORITY@", String.valueOf(priority))
                .replace("@VIP@", VIP + "/24");
        assertTrue(!conf.matches("(?s).*@[A-Z_]+@.*"), conf);
        Path file = dir.resolve(lb + "-keepalived.conf");
        Files.writeString(file, conf);
        return file;
    }

    private void startKeepalived(String lb) throws Exception {
        Path conf = keepalivedConf(lb, lb.equals("lb1") ? 150 : 100);
        Path vrrpPid = dir.resolve(lb + "-vrrp.pid");
        Files.deleteIfExists(vrrpPid);
        keepaliveds.put(lb, startIn(lb, lb + "-keepalived.log", Map.of(), KEEPALIVED.toString(),
                "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp", "--use-file", conf.toString(),
                "--pid", dir.resolve(lb + "-keepalived.pid").toString(), "--vrrp_pid", vrrpPid.toString()));
        await(lb + "'s keepalived running", 10, () -> readPid(vrrpPid) > 0, () -> log(lb + "-keepalived.log"));
    }

    private static long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * keepalived dies at once, as in a crash: stopped first so that it cannot restart its VRRP process, which is
     * then killed before it could hear of its parent's death (on which it would stop cleanly and say so).
     */
    private void crashKeepalived(String lb) throws Exception {
        long main = readPid(dir.resolve(lb + "-keepalived.pid"));
        long vrrp = readPid(dir.resolve(lb + "-vrrp.pid"));
        run("kill", "-STOP", String.valueOf(main));
        run("kill", "-KILL", String.valueOf(vrrp));
        run("kill", "-KILL", String.valueOf(main));
        keepaliveds.remove(lb).waitFor(10, TimeUnit.SECONDS);
    }

    private int count(String log, String text) {
        return log(log).split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

    // ---------------------------------------------------------------- the clients

    /** One client session: when it started and ended, from which source, and what came of it. */
    private record Session(double start, double end, String source, boolean ok, String backend, String via, String line) {
        static Session parse(String line) {
            String[] f = line.split(" ", 6);
            boolean ok = f[3].equals("ok");
            return new Session(Double.parseDouble(f[0]), Double.parseDouble(f[1]), f[2], ok,
                    ok ? f[4] : null, ok ? f[5] : null, line);
        }
    }

    /** One session from each source address to {@code host}: which backend answered each. */
    private Map<String, String> ask(String host) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns("client"), "/usr/bin/python3",
                PAIR.toString(), "ask", host, String.valueOf(PORT)));
        command.addAll(SOURCES);
        Map<String, String> chosen = new TreeMap<>();
        for (String line : must(command.toArray(String[]::new)).split("\n")) {
            String[] f = line.split(" ");
            assertTrue(f.length == 3 && !f[1].equals("FAIL"), "through " + host + ": " + line);
            chosen.put(f[0], f[1]);
        }
        assertEquals(SOURCES.size(), chosen.size());
        return chosen;
    }

    private static final double LOOP_SECONDS = 7;
    private static final double LOSS_AFTER = 1.5;

    /**
     * Runs the client loop through the virtual address, does {@code loss} 1.5 s into it, and checks what the
     * clients saw: the first success through {@code backup} within 4 s, no failure after it, each client on its
     * backend of {@code expected}.
     */
    private void scenario(String name, String master, String backup, Map<String, String> expected, Loss loss)
            throws Exception {
        assertTrue(holdsVip(master), name + ": " + master + " holds the address before");
        Path out = dir.resolve("loop-" + name.replace(' ', '-') + ".txt");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns("client"), "/usr/bin/python3",
                PAIR.toString(), "loop", VIP, String.valueOf(PORT), String.valueOf(LOOP_SECONDS), "0.05"));
        command.addAll(SOURCES);
        Process loop = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        processes.add(loop);
        Thread.sleep((long) (LOSS_AFTER * 1000));
        double lost = System.currentTimeMillis() / 1000.0;
        loss.happen();
        Files.writeString(dir.resolve("loss-" + name.replace(' ', '-') + ".txt"), String.format(java.util.Locale.ROOT,
                "%.3f lost, %.3f done%n", lost, System.currentTimeMillis() / 1000.0));
        assertTrue(loop.waitFor((long) LOOP_SECONDS + 10, TimeUnit.SECONDS), name + ": the client loop did not end");
        List<Session> sessions = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            sessions.add(Session.parse(line));
        }
        sessions.sort((a, b) -> Double.compare(a.start(), b.start()));
        String backupAddress = backup.equals("lb1") ? LB1 : LB2;
        Session first = sessions.stream().filter(s -> s.ok() && s.via().equals(backupAddress) && s.start() > lost - 1)
                .min((a, b) -> Double.compare(a.end(), b.end()))
                .orElseThrow(() -> new AssertionError(name + ": no session through " + backup + "\n" + details(sessions)));
        double takeover = first.end() - lost;
        List<Session> failedAfter = sessions.stream().filter(s -> !s.ok() && s.start() >= first.start()).toList();
        long failedBefore = sessions.stream().filter(s -> !s.ok() && s.start() < first.start()).count();
        long before = sessions.stream().filter(s -> s.start() < lost).count();
        long after = sessions.stream().filter(s -> s.start() >= first.start()).count();
        double slowestAfter = sessions.stream().filter(s -> s.start() >= first.start())
                .mapToDouble(s -> s.end() - s.start()).max().orElse(0);
        List<String> moved = new ArrayList<>();
        for (Session s : sessions) {
            if (s.ok() && !s.backend().equals(expected.get(s.source()))) {
                moved.add(s.line());
            }
        }
        String figure = String.format(java.util.Locale.ROOT,
                "%s: first session through %s answered %.2f s after the loss; %d sessions (%d before the loss), "
                        + "%d failed before that first success, %d failed after it (%d sessions after it, slowest %.2f s); "
                        + "%d answered by another backend than Maglev's choice",
                name, backup, takeover, sessions.size(), before, failedBefore, failedAfter.size(), after, slowestAfter,
                moved.size());
        figures.add(figure);
        System.out.println("failover: " + figure);
        assertTrue(before >= 20, name + ": the loop ran before the loss\n" + details(sessions));
        assertTrue(takeover <= TAKEOVER_LIMIT, figure + "\n" + details(sessions) + keepalivedLogs());
        assertTrue(failedAfter.isEmpty(), figure + "\n" + failedAfter + "\n" + details(sessions));
        assertTrue(after >= 40, figure);
        assertTrue(moved.isEmpty(), figure + "\n" + moved);
        assertTrue(holdsVip(backup), name + ": " + backup + " holds the address after");
    }

    private String keepalivedLogs() {
        return "\nlb1 keepalived:\n" + log("lb1-keepalived.log") + "\nlb2 keepalived:\n" + log("lb2-keepalived.log");
    }

    private static String details(List<Session> sessions) {
        StringBuilder b = new StringBuilder();
        for (Session s : sessions) {
            b.append(s.line()).append('\n');
        }
        return b.toString();
    }

    private interface Loss {
        void happen() throws Exception;
    }

    // ---------------------------------------------------------------- the test

    @Test
    void theAddressMovesAndNewSessionsSucceedThroughTheBackupWithinFourSecondsOnTheSameBackends() throws Exception {
        network();
        List<String> specs = new ArrayList<>();
        for (String b : BACKENDS) {
            specs.add(b + ":" + BACKEND_PORT);
        }
        List<String> serve = new ArrayList<>(List.of("/usr/bin/python3", PAIR.toString(), "serve"));
        serve.addAll(specs);
        startIn("srv", "srv.log", Map.of(), serve.toArray(String[]::new));
        await("the backends", 10, () -> log("srv.log").contains("serving"), () -> log("srv.log"));
        startBalance("lb1");
        startBalance("lb2");

        // Maglev: both balances, asked directly, send each client to the same backend
        Map<String, String> throughLb1 = ask(LB1);
        Map<String, String> throughLb2 = ask(LB2);
        assertEquals(throughLb1, throughLb2, "each client's backend through lb1 and through lb2");
        assertTrue(new HashSet<>(throughLb1.values()).size() >= 3, "the clients spread: " + throughLb1);
        figures.add("Maglev: " + SOURCES.size() + " clients, the same backend through lb1 and lb2 for each ("
                + new HashSet<>(throughLb1.values()).size() + " backends used)");

        // lb1 first: with the higher priority and nobody else yet, it becomes master; lb2 then stays backup
        startKeepalived("lb1");
        await("lb1 holding the address", 10, () -> holdsVip("lb1"), this::keepalivedLogs);
        startKeepalived("lb2");
        await("lb2 in BACKUP", 10, () -> count("lb2-keepalived.log", "Entering BACKUP STATE") > 0, this::keepalivedLogs);
        Thread.sleep(1000);
        assertTrue(holdsVip("lb1") && !holdsVip("lb2"), keepalivedLogs());

        // 1. the master's keepalived crashes: lb2 hears no advert for 3 x 0.5 s + skew and takes the address
        scenario("keepalived killed", "lb1", "lb2", throughLb1, () -> crashKeepalived("lb1"));
        // lb1's crashed keepalived left the address on eth0, as a crash does: the operator (here the test) removes
        // it and starts keepalived again; nopreempt keeps lb2 master
        must("ip", "-n", ns("lb1"), "addr", "del", VIP + "/24", "dev", "eth0");
        int lb1Backups = count("lb1-keepalived.log", "Entering BACKUP STATE");
        startKeepalived("lb1");
        await("lb1 in BACKUP again", 10, () -> count("lb1-keepalived.log", "Entering BACKUP STATE") > lb1Backups,
                this::keepalivedLogs);
        Thread.sleep(1500);
        assertTrue(holdsVip("lb2") && !holdsVip("lb1"), "nopreempt: lb2 stays master\n" + keepalivedLogs());

        // 2. the master's balance dies: its check fails twice, it goes to FAULT, drops the address, lb1 takes it
        int faults = count("lb2-keepalived.log", "Entering FAULT STATE");
        scenario("balance killed", "lb2", "lb1", throughLb1, () -> balances.remove("lb2").destroyForcibly());
        assertTrue(count("lb2-keepalived.log", "Entering FAULT STATE") > faults, keepalivedLogs());
        int backups = count("lb2-keepalived.log", "Entering BACKUP STATE");
        startBalance("lb2");
        await("lb2 back in BACKUP once its balance answers", 10,
                () -> count("lb2-keepalived.log", "Entering BACKUP STATE") > backups, this::keepalivedLogs);
        assertTrue(holdsVip("lb1") && !holdsVip("lb2"), keepalivedLogs());

        // 3. the whole master goes away: its link goes down (the switch port), everything on it dies
        scenario("machine lost", "lb1", "lb2", throughLb1, () -> {
            must("ip", "-n", ns("sw"), "link", "set", "lb1", "down");
            keepaliveds.remove("lb1").destroyForcibly();
            balances.remove("lb1").destroyForcibly();
        });

        System.out.println("failover figures:\n  " + String.join("\n  ", figures));
        Files.writeString(HOME.resolve("target/failover-figures.txt"),
                String.join("\n", figures) + "\n");
    }

    @AfterEach
    void cleanUp() throws Exception {
        // what the clients, balances and keepalived said, for a look after the run (the temporary directory goes)
        Path keep = HOME.resolve("target/failover-run");
        Files.createDirectories(keep);
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f) && f.getFileName().toString().matches(".*\\.(log|txt|conf)")) {
                    Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Process p : processes) {
            p.destroyForcibly();
        }
        // whatever still runs in our namespaces (keepalived's VRRP process, a check) is ours too
        for (String n : namespaces) {
            for (String pid : run("ip", "netns", "pids", n).out().split("\\s+")) {
                if (pid.matches("[0-9]+")) {
                    run("kill", "-KILL", pid);
                }
            }
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (String n : namespaces) {
            run("ip", "netns", "del", n);
        }
    }
}
