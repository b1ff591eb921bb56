package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.balance.support.NotifyReceiver;
import org.balance.support.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing and restarting the service without hurting a session, through {@code src/deb/balance-service} as
 * {@code balance@NAME.service} runs it (systemd's part played here: the notify socket, SIGHUP for a reload, SIGUSR1
 * then a new start for a restart, SIGTERM to the main process for a stop), with a client that opens a connection
 * every few milliseconds all along and must see none refused or reset. (Before: no reload at all, SIGHUP ended the
 * JVM, and a restart or stop cut every session.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServiceReloadIT {
    private static final String BIND = "127.0.0.1";

    @TempDir
    Path dir;

    private Path conf() {
        return dir.resolve("test.conf");
    }

    private Process service(String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ServiceScriptIT.SCRIPT.toString(), conf().toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().put("BALANCE_LAUNCHER", BalanceProcess.launcher().toString());
        String jar = System.getProperty("balance.jar");
        if (jar != null) {
            pb.environment().put("BALANCE_JAR", jar);
        }
        pb.environment().put("BALANCE_RUNDIR", dir.toString());
        pb.environment().put("NOTIFY_SOCKET", dir.resolve("notify").toString());
        return pb.start();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @AfterEach
    void killLeftovers() throws Exception {
        Processes.killWithEnvironment("BALANCE_RUNDIR=" + dir);
    }

    private static void signal(long pid, String signal) throws Exception {
        Processes.output("kill", "-" + signal, String.valueOf(pid));
    }

    private BalanceProcess.Result control(int port, String command) throws Exception {
        return BalanceProcess.run(dir, Map.of(), "-b", BIND, "-c", command, String.valueOf(port));
    }

    /** Which backend serves a new session: its greeting. */
    private static String whoServes(int port) throws IOException {
        try (Socket s = Net.connect(port)) {
            return Net.readLine(s);
        }
    }

    private static Set<String> served(int port, int sessions) throws IOException {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < sessions; i++) {
            seen.add(whoServes(port));
        }
        return seen;
    }


    /**
     * Opens a session every 3 ms on each port until closed, each reading the backend's greeting: every one that
     * is refused, reset or answers nothing is counted as failed.
     */
    private static final class ClientLoop implements AutoCloseable {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Set<String> failures = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        ClientLoop(int... ports) {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                while (running.get() && System.nanoTime() < deadline) {
                    for (int port : ports) {
                        made.incrementAndGet();
                        try (Socket s = Net.connect(port)) {
                            String greeting = Net.readLine(s);
                            if (greeting == null || greeting.isEmpty()) {
                                failed.incrementAndGet();
                                failures.add("no greeting on " + port);
                            }
                        } catch (ConnectException e) {
                            failed.incrementAndGet();
                            failures.add("refused on " + port + ": " + e.getMessage());
                        } catch (IOException e) {
                            failed.incrementAndGet();
                            failures.add(e + " on " + port);
                        }
                    }
                    try {
                        Thread.sleep(3);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "client-loop");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private void write(String text) throws IOException {
        Path tmp = dir.resolve("test.conf.new");
        Files.writeString(tmp, text);
        Files.move(tmp, conf(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** SIGHUP to the service, as {@code systemctl reload}; waits for its READY=1 after RELOADING=1. */
    private void reload(Process service, NotifyReceiver systemd) throws Exception {
        signal(service.pid(), "HUP");
        systemd.awaitContaining("RELOADING=1", 20_000);
        systemd.awaitContaining("READY=1", 20_000);
    }

    private static String line(int port, String options, Backend... channels) {
        StringBuilder b = new StringBuilder(options).append(" -b ").append(BIND).append(' ').append(port);
        for (Backend c : channels) {
            b.append(' ').append(c.channel());
        }
        return b.append('\n').toString();
    }

    @Test
    void reloadsApplyTheFileInPlaceWithoutRefusingAConnectionOrCuttingASession() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY);
             Backend c = new Backend("c", Backend.IDENTIFY); Backend d = new Backend("d", Backend.IDENTIFY);
             NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify").toString())) {
            int port = Net.freePort();
            int second = Net.freePort();
            write("# the service\n" + line(port, "-t 3", a, b));
            Process service = service("service");
            assertTrue(systemd.awaitContaining("READY=1", 60_000).contains("STATUS=1 port, 0 sessions"), systemd.received().toString());
            assertEquals(Set.of("a", "b"), served(port, 4));
            // the operator's disable, and counters, that the reload must keep
            assertEquals(0, control(port, "disable 1").status());
            assertEquals(Set.of("a"), served(port, 3));
            Socket held = Net.connect(port);
            assertEquals("a", Net.readLine(held));
            String before = control(port, "show").stdout();

            try (ClientLoop clients = new ClientLoop(port)) {
                // a channel added takes new sessions at once; b stays disabled; a keeps its counters
                write(line(port, "-t 3", a, b, c));
                reload(service, systemd);
                assertEquals(Set.of("a", "c"), served(port, 4));
                String show = control(port, "show").stdout();
                assertTrue(show.contains(" dis ") || show.contains(" DIS "), "b still disabled:\n" + show);
                long totalBefore = totalc(before, a.port());
                assertTrue(totalc(show, a.port()) > totalBefore, "a's counters kept: before\n" + before + "after\n" + show);

                // a channel removed takes no new session; its session in progress goes on
                write(line(port, "-t 3", b, c));
                reload(service, systemd);
                assertEquals(Set.of("c"), served(port, 4), "b disabled, a gone");
                Net.roundTrip(held, "a's session survives its channel's removal");

                // changed options and maxc apply; a new line starts, its port serves
                write(line(port, "-t 2", b, c).replace(c.channel(), c.channel() + ":7") + line(second, "", d));
                reload(service, systemd);
                assertEquals("7", column(control(port, "show").stdout(), c.port(), 8), "c's new maxc");
                assertEquals("d", whoServes(second));

                // an invalid file changes nothing: logged with file and line, systemctl reload's check fails
                write(line(port, "-t 2", b, c) + "-t 2 -b " + BIND + " 80abc " + d.channel() + "\n");
                signal(service.pid(), "HUP");
                systemd.awaitContaining("RELOADING=1", 20_000);
                systemd.awaitContaining("READY=1", 20_000);
                Net.await("the error logged", Duration.ofSeconds(10), () -> log("service").contains(conf() + ":2: invalid port [80abc]"));
                assertEquals("d", whoServes(second), "the second line still serves");
                ProcessBuilder check = new ProcessBuilder(ServiceScriptIT.SCRIPT.toString(), "--check", conf().toString())
                        .redirectErrorStream(true);
                check.environment().put("BALANCE_LAUNCHER", BalanceProcess.launcher().toString());
                Process checking = check.start();
                String said = new String(checking.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(checking.waitFor(60, TimeUnit.SECONDS));
                assertEquals(64, checking.exitValue(), said);
                assertTrue(said.contains(conf() + ":2: invalid port [80abc]"), said);

                // a line removed drains that whole balance: its port closes
                write(line(port, "-t 2", b, c));
                reload(service, systemd);
                Net.await("the second port closed", Duration.ofSeconds(10), () -> !Net.accepts(BIND, second));
                Net.roundTrip(held, "still there after five reloads");
                Thread.sleep(200);
                clients.close();
                System.out.println("reloads: " + clients.made.get() + " connections, " + clients.failed.get() + " failed");
                assertEquals(0, clients.failed.get(), clients.failures.toString());
                assertTrue(clients.made.get() > 50, "the client loop ran: " + clients.made.get());
            }

            // systemctl stop: SIGTERM to the main process; the held session goes on until it ends
            signal(service.pid(), "TERM");
            systemd.awaitContaining("STOPPING=1", 20_000);
            Net.await("the port closed", Duration.ofSeconds(10), () -> !Net.accepts(BIND, port));
            Net.roundTrip(held, "draining");
            held.close();
            assertTrue(service.waitFor(30, TimeUnit.SECONDS), "the service ended once its last session did");
            assertEquals(0, service.exitValue(), log("service"));
        }
    }

    /** The totalc column of the row for the channel at {@code port} in {@code show}'s output. */
    private static long totalc(String show, int port) {
        return Long.parseLong(column(show, port, 7));
    }

    /** Column {@code index} (from 0: GRP Type # S ip-address port c totalc maxc sent rcvd) of the channel at {@code port}. */
    private static String column(String show, int port, int index) {
        for (String row : show.split("\n")) {
            String[] f = row.trim().split("\\s+");
            if (f.length >= 11 && f[5].equals(String.valueOf(port))) {
                return f[index];
            }
        }
        throw new AssertionError("no channel on port " + port + " in\n" + show);
    }

    /** The pid the control shell's banner names: the balance that serves {@code port}. */
    private long masterPid(int port) throws Exception {
        BalanceProcess.Result r = BalanceProcess.run(dir, Map.of(), "-b", BIND, "-i", String.valueOf(port));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("PID of master process is (\\d+)").matcher(r.stdout());
        assertTrue(m.find(), r.stdout() + r.stderr());
        return Long.parseLong(m.group(1));
    }

    @Test
    void aRestartHandsThePortsToTheNewBalanceWithoutRefusingAConnectionOrCuttingASession() throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY);
             NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify").toString())) {
            int port = Net.freePort();
            int second = Net.freePort();
            write(line(port, "", a) + line(second, "", b));
            Process old = service("old");
            systemd.awaitContaining("READY=1", 60_000);
            long oldJvm = old.children().findFirst().orElseThrow().pid();
            Socket held = Net.connect(port);
            assertEquals("a", Net.readLine(held));
            assertEquals(oldJvm, masterPid(port));
            try (ClientLoop clients = new ClientLoop(port, second)) {
                Thread.sleep(200);
                // systemctl restart: RestartKillSignal=SIGUSR1 to the main process, which ends at once ...
                signal(old.pid(), "USR1");
                assertTrue(old.waitFor(10, TimeUnit.SECONDS), "the old main process ended");
                assertEquals(0, old.exitValue());
                assertTrue(ProcessHandle.of(oldJvm).map(ProcessHandle::isAlive).orElse(false), "the old balance serves on");
                Thread.sleep(200);
                // ... then the next start, which takes the ports over
                Process fresh = service("new");
                systemd.awaitContaining("READY=1", 60_000);
                Thread.sleep(300);
                clients.close();
                System.out.println("restart: " + clients.made.get() + " connections, " + clients.failed.get() + " failed");
                assertEquals(0, clients.failed.get(), clients.failures.toString());
                assertTrue(clients.made.get() > 50, "the client loop ran: " + clients.made.get());
                // the control sockets are the new balance's
                long newJvm = fresh.children().findFirst().orElseThrow().pid();
                assertEquals(newJvm, masterPid(port));
                assertEquals(newJvm, masterPid(second));
                Net.roundTrip(held, "the old balance relays its session to the end");
                assertTrue(ProcessHandle.of(oldJvm).map(ProcessHandle::isAlive).orElse(false), "draining");
                held.close();
                Net.await("the old balance ended with its last session", Duration.ofSeconds(20),
                        () -> !ProcessHandle.of(oldJvm).map(ProcessHandle::isAlive).orElse(false));
                assertTrue(log("old").contains("taken over by the new balance"), log("old"));
                assertEquals("a", whoServes(port));
                assertEquals("b", whoServes(second));
                assertFalse(log("new").contains("Exception"), log("new"));
                signal(fresh.pid(), "TERM");
                assertTrue(fresh.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, fresh.exitValue(), log("new"));
            }
        }
    }
}
