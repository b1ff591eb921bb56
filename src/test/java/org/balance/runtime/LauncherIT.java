package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.balance.support.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/balance as operators run it: exit statuses and messages, background start, signals, listen addresses. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LauncherIT {
    @TempDir
    Path dir;

    private BalanceProcess.Result run(String... args) throws Exception {
        return BalanceProcess.run(dir, Map.of(), args);
    }

    private static void assertNoStackTrace(String text) {
        assertFalse(text.contains("\tat ") || text.contains("Exception"), "stack trace shown:\n" + text);
    }

    @Test
    void errorsBeforeStartingAreOneLineWithTheOriginalsExitCodes() throws Exception {
        BalanceProcess.Result badOption = run("-x", "8888", "127.0.0.1");
        assertEquals(64, badOption.status());
        assertTrue(badOption.stderr().startsWith("invalid option -- 'x'\n"), badOption.stderr());
        assertTrue(badOption.stderr().contains("usage:"), badOption.stderr());

        BalanceProcess.Result badPort = run("nosuchservice", "127.0.0.1");
        assertEquals(64, badPort.status());
        assertEquals("invalid port [nosuchservice], exiting.\n", badPort.stderr());

        BalanceProcess.Result badHost = run(String.valueOf(Net.freePort()), "no_such_host");
        assertEquals(65, badHost.status());
        assertEquals("unknown or invalid address [no_such_host]\n", badHost.stderr());

        BalanceProcess.Result badTimeout = run("-t", "0", "8888", "127.0.0.1");
        assertEquals(64, badTimeout.status());

        for (BalanceProcess.Result r : List.of(badOption, badPort, badHost, badTimeout)) {
            assertNoStackTrace(r.stderr());
            assertEquals("", r.stdout());
        }
    }

    /**
     * On a newer JDK where one is installed (Temurin 25 beside Debian's 17 here), the proxy starts and serves and says
     * nothing on stderr: before, JDK 22 and later printed four WARNING lines about Netty's System.loadLibrary.
     */
    @Test
    void aNewerJdkStartsTheProxyWithoutWarnings() throws Exception {
        java.nio.file.Path jdk = java.nio.file.Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(jdk.resolve("bin/java")),
                "no JDK 25 at " + jdk);
        try (org.balance.support.Backend backend = new org.balance.support.Backend("a", org.balance.support.Backend.IDENTIFY)) {
            int port = org.balance.support.Net.freePort();
            try (BalanceProcess p = BalanceProcess.start(dir, java.util.Map.of("JAVA_HOME", jdk.toString()),
                    "-f", "-b", "127.0.0.1", String.valueOf(port), backend.channel())) {
                java.nio.file.Path socket = dir.resolve("balance." + port + ".127.0.0.1");
                org.balance.support.Net.await("the control socket", java.time.Duration.ofSeconds(60),
                        () -> java.nio.file.Files.exists(socket) || !p.isAlive());
                try (java.net.Socket s = org.balance.support.Net.connect(port)) {
                    assertEquals("a", org.balance.support.Net.readLine(s));
                }
                assertEquals("", p.stderr(), "nothing on stderr");
            }
        }
    }

    @Test
    void helpAndVersionAnswerOnStandardOutputWithStatus0() throws Exception {
        BalanceProcess.Result help = run("--help");
        assertEquals(0, help.status(), help.stderr());
        assertEquals(org.balance.cli.Usage.text(), help.stdout());
        assertEquals("", help.stderr(), "nothing else, no JVM log lines");
        BalanceProcess.Result version = run("--version");
        assertEquals(new BalanceProcess.Result(0, "balance " + org.balance.cli.Usage.VERSION + "\n", ""), version);
        BalanceProcess.Result bad = run("--verbose", "8888", "127.0.0.1");
        assertEquals(64, bad.status());
        assertTrue(bad.stderr().startsWith("unrecognized option '--verbose'\nbalance"), bad.stderr());
    }

    @Test
    void portInUseExits71WithTheReasonInTheForegroundAndTheBackground() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            String port = String.valueOf(taken.getLocalPort());
            for (List<String> args : List.of(List.of("-f", port, "127.0.0.1:9"), List.of(port, "127.0.0.1:9"))) {
                BalanceProcess.Result r = run(args.toArray(String[]::new));
                assertEquals(71, r.status(), r.stderr());
                assertTrue(r.stderr().startsWith("bind: Address already in use"), r.stderr());
                assertNoStackTrace(r.stderr());
            }
        }
    }

    @Test
    void withoutForegroundItDetachesAndServes() throws Exception {
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            long start = System.nanoTime();
            BalanceProcess.Result r = run(String.valueOf(port), echo.channel());
            assertEquals(0, r.status(), r.stderr());
            assertEquals("", r.stderr());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
            long pid = daemonPid(port);
            try {
                try (Socket s = Net.connect(port)) {
                    assertEquals("echo", Net.readLine(s), "the port serves as soon as the command returned");
                }
                Path proc = Path.of("/proc", String.valueOf(pid));
                assertEquals(Path.of("/"), Files.readSymbolicLink(proc.resolve("cwd")));
                for (String fd : List.of("0", "1", "2")) {
                    assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(proc.resolve("fd").resolve(fd)), "fd " + fd);
                }
                String stat = Files.readString(proc.resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                assertEquals(String.valueOf(pid), fields[3], "session leader of a new session");
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
            Net.await("port freed after SIGTERM", Duration.ofSeconds(10), () -> !Net.accepts("127.0.0.1", port));
        }
    }

    /** The daemon's pid, found by its command line: bin/balance's path and the arguments, as ps shows it. */
    static long daemonPid(int port) throws Exception {
        String launcher = BalanceProcess.launcher() + " ";
        List<Long> pids = new java.util.ArrayList<>();
        for (ProcessHandle p : (Iterable<ProcessHandle>) ProcessHandle.allProcesses()::iterator) {
            String line = Processes.commandLine(p.pid());
            if (line != null && line.startsWith(launcher) && (line + " ").contains(" " + port + " ")) {
                pids.add(p.pid());
            }
        }
        if (pids.size() != 1) {
            throw new AssertionError("expected one daemon for port " + port + ", found " + pids);
        }
        return pids.get(0);
    }

    /**
     * Seed 004's init script finds its balance with {@code ps -edf | grep /opt/balance/balance} and stops it by
     * the pids it finds: a running balance must show as the path that was typed and the original arguments,
     * in the background and in the foreground, for ps, pgrep -f, and (by its name) pgrep and pidof.
     */
    @Test
    void aRunningBalanceShowsInPsAsTheCommandThatStartedIt() throws Exception {
        Path typed = Files.createSymbolicLink(Files.createDirectories(dir.resolve("opt/balance")).resolve("balance"),
                BalanceProcess.launcher());
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            BalanceProcess.Result r = BalanceProcess.runAs(dir, Map.of(), typed, String.valueOf(port), echo.channel());
            assertEquals(0, r.status(), r.stderr());
            String expected = typed + " " + port + " " + echo.channel();
            try {
                long pid = Processes.single(expected);
                assertShownAs(pid, expected);
                try (Socket s = Net.connect(port)) {
                    assertEquals("echo", Net.readLine(s), "the process found that way is the proxy");
                }
            } finally {
                Processes.killAll(" " + port + " " + echo.channel());
            }

            int fg = Net.freePort();
            try (BalanceProcess p = BalanceProcess.startAs(dir, Map.of(), typed, "-f", String.valueOf(fg), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", fg));
                assertShownAs(p.pid(), typed + " -f " + fg + " " + echo.channel());
            }
        }
    }

    /** An open control shell is a running balance too: the original's showed as typed, and the seed's grep saw it. */
    @Test
    void anOpenControlShellShowsAsTheCommandThatStartedIt() throws Exception {
        Path typed = Files.createSymbolicLink(Files.createDirectories(dir.resolve("opt/balance")).resolve("balance"),
                BalanceProcess.launcher());
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess proxy = BalanceProcess.start(dir, Map.of(), "-f", String.valueOf(port), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                ProcessBuilder pb = new ProcessBuilder(typed.toString(), "-i", String.valueOf(port))
                        .redirectErrorStream(true);
                pb.environment().put("BALANCE_JAR", System.getProperty("balance.jar"));
                pb.environment().put("BALANCE_RUNDIR", dir.toString());
                Process shell = pb.start();
                try {
                    java.io.InputStream out = shell.getInputStream();
                    StringBuilder seen = new StringBuilder();
                    while (!seen.toString().endsWith("balance[0] ")) {
                        int c = out.read();
                        assertTrue(c >= 0, "the shell's prompt, got: " + seen);
                        seen.append((char) c);
                    }
                    assertShownAs(shell.pid(), typed + " -i " + port);
                } finally {
                    shell.getOutputStream().close();
                    assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
                }
            }
        }
    }

    private static void assertShownAs(long pid, String line) throws Exception {
        assertEquals(line, Processes.output("ps", "-o", "args=", "-p", String.valueOf(pid)).strip(), "ps args");
        assertEquals(String.valueOf(pid), Processes.output("pgrep", "-f", "-x", line).strip(), "pgrep -f -x");
        assertEquals("balance", Processes.output("ps", "-o", "comm=", "-p", String.valueOf(pid)).strip(), "ps comm");
        assertTrue(Processes.output("ps", "-edf").lines().anyMatch(l -> l.endsWith(" " + line)
                && l.split("\\s+")[1].equals(String.valueOf(pid))), "ps -edf");
    }

    /** The title is written through /proc/self/mem: it must work on every JDK the machine has (17, Temurin 25). */
    @Test
    void theTitleWorksOnEveryInstalledJdk() throws Exception {
        List<Path> jdks = installedJdks();
        assertFalse(jdks.isEmpty(), "no JDK found under /usr/lib/jvm");
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            for (Path jdk : jdks) {
                int port = Net.freePort();
                try (BalanceProcess p = BalanceProcess.start(dir, Map.of("JAVA_HOME", jdk.toString()),
                        "-f", String.valueOf(port), echo.channel())) {
                    Net.await("listening on " + jdk, Duration.ofSeconds(30), () -> Net.accepts("127.0.0.1", port));
                    assertEquals(jdk.resolve("bin/java").toRealPath(),
                            Path.of("/proc", String.valueOf(p.pid()), "exe").toRealPath(), "runs on " + jdk);
                    assertEquals(BalanceProcess.launcher() + " -f " + port + " " + echo.channel(),
                            Processes.commandLine(p.pid()), "title on " + jdk);
                    try (Socket s = Net.connect(port)) {
                        assertEquals("echo", Net.readLine(s), "forwards on " + jdk);
                    }
                }
            }
        }
    }

    /** The JDKs and JREs of version 17 or later under /usr/lib/jvm, each once. */
    private static List<Path> installedJdks() throws Exception {
        java.util.Map<Path, Path> byRealPath = new java.util.TreeMap<>();
        try (var entries = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : (Iterable<Path>) entries::iterator) {
                Path release = jdk.resolve("release");
                if (!Files.isExecutable(jdk.resolve("bin/java")) || !Files.isRegularFile(release)) {
                    continue;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)")
                        .matcher(Files.readString(release));
                if (m.find() && Integer.parseInt(m.group(1)) >= 17) {
                    byRealPath.putIfAbsent(jdk.toRealPath(), jdk);
                }
            }
        }
        return List.copyOf(byRealPath.values());
    }

    @Test
    void foregroundStopsCleanlyOnSigterm() throws Exception {
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = BalanceProcess.start(dir, Map.of(), "-f", String.valueOf(port), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                try (Socket s = Net.connect(port)) {
                    assertEquals("echo", Net.readLine(s));
                }
                Path socket = dir.resolve("balance." + port + ".0.0.0.0");
                // the control socket is published just after the port is bound
                Net.await("control socket " + socket, Duration.ofSeconds(10), () -> Files.exists(socket));
                p.process.destroy();
                assertTrue(p.process.waitFor(10, TimeUnit.SECONDS), "exits on SIGTERM");
                assertFalse(Net.accepts("127.0.0.1", port), "port freed");
                assertFalse(Files.exists(socket), "control socket removed");
                assertNoStackTrace(p.stderr());
            }
        }
    }

    /**
     * Netty's epoll library is loaded where the build put it beside the jar (target/native), not copied out of
     * the jar to a temporary file at every start first (see bin/balance).
     */
    @Test
    void loadsNettysEpollLibraryWhereTheBuildPutIt() throws Exception {
        Path lib = Path.of("target", "native", "libnetty_transport_native_epoll_x86_64.so").toRealPath();
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = BalanceProcess.start(dir, Map.of(), "-f", String.valueOf(port), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                List<String> mapped = Processes.mappedFiles(p.pid());
                assertTrue(mapped.contains(lib.toString()), "loaded from " + lib + ", mapped: "
                        + mapped.stream().filter(f -> f.contains("netty")).toList());
            }
        }
    }

    /**
     * Netty's buffer allocator reports to the JDK's flight recorder when it can: the first buffer of the first
     * session then brings the recorder up, which kept that session waiting about 0.4 s (bench: start-up to the
     * first answer 919 ms against 290 ms to listening). The launcher turns those events off.
     */
    @Test
    void theFirstSessionDoesNotBringUpTheFlightRecorder() throws Exception {
        Path classes = dir.resolve("classes.txt");
        try (Backend echo = new Backend("echo", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = BalanceProcess.start(dir,
                    Map.of("BALANCE_JVM_OPTS", "-Xlog:class+load=info:file=" + classes), "-f", String.valueOf(port), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                try (Socket s = Net.connect(port)) {
                    assertEquals("echo", Net.readLine(s));
                }
            }
        }
        // Netty's start-up asks FlightRecorder.isAvailable() in any case (a few small classes, ~4 ms); what costs is
        // the recorder's event registry and the event types it builds, from jdk.jfr.internal.MetadataRepository on.
        List<String> loaded = Files.readAllLines(classes);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.balance.relay.ServerSideHandler ")), "no session logged");
        List<String> registry = loaded.stream()
                .filter(l -> l.contains(" jdk.jfr.internal.MetadataRepository ") || l.contains(" jdk.jfr.internal.PlatformEventType "))
                .toList();
        assertTrue(registry.isEmpty(), "the flight recorder was brought up: " + registry);
    }

    /**
     * {@code --hash} takes a value and is the proxy's option: the launcher must neither take it for {@code --help}
     * (whose abbreviation {@code --h} it shares) and start the proxy with the control client's JVM settings, nor take
     * its value for an operand. The proxy's settings are the ones that carry {@code BALANCE_JVM_OPTS}: its class
     * loading log shows the proxy ran with them, and that the hash group went through Maglev.
     */
    @Test
    void hashIsAProxyOptionWithAValue() throws Exception {
        Path classes = dir.resolve("hash-classes.txt");
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend b = new Backend("b", Backend.IDENTIFY)) {
            int port = Net.freePort();
            try (BalanceProcess p = BalanceProcess.start(dir, Map.of("BALANCE_JVM_OPTS", "-Xlog:class+load=info:file=" + classes),
                    "--hash", "maglev", "-f", String.valueOf(port), a.channel(), b.channel(), "%")) {
                Net.await("listening", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                try (Socket s = Net.connect(port)) {
                    assertTrue(List.of("a", "b").contains(Net.readLine(s)));
                }
            }
        }
        List<String> loaded = Files.readAllLines(classes);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.balance.balancing.Maglev ")), "no Maglev selection");
        BalanceProcess.Result bad = run("--hash", "ring", "-f", "8888", "127.0.0.1");
        assertEquals(64, bad.status(), bad.stderr());
        assertTrue(bad.stderr().contains("invalid --hash [ring]: classic or maglev"), bad.stderr());
    }

    @Test
    void listensDualStackByDefaultAndOnTheGivenAddressWithMinusB() throws Exception {
        try (Backend echo = new Backend("v4", Backend.IDENTIFY)) {
            int any = Net.freePort();
            int v6 = Net.freePort();
            int mapped = Net.freePort();
            int forced6 = Net.freePort();
            try (BalanceProcess a = BalanceProcess.start(dir, Map.of(), "-f", String.valueOf(any), echo.channel());
                 BalanceProcess d = BalanceProcess.start(dir, Map.of(), "-6f", String.valueOf(forced6), echo.channel());
                 BalanceProcess b = BalanceProcess.start(dir, Map.of(), "-f", "-b", "::1", String.valueOf(v6), echo.channel());
                 BalanceProcess c = BalanceProcess.start(dir, Map.of(), "-f", "-b", "::ffff:127.0.0.1", String.valueOf(mapped), echo.channel())) {
                Net.await("listening", Duration.ofSeconds(20),
                        () -> Net.accepts("127.0.0.1", any) && Net.accepts("::1", v6) && Net.accepts("127.0.0.1", mapped)
                                && Net.accepts("::1", forced6));
                for (String host : List.of("127.0.0.1", "::1")) {
                    for (int port : List.of(any, forced6)) {
                        try (Socket s = Net.connect(host, port)) {
                            assertEquals("v4", Net.readLine(s), "wildcard listen reached over " + host);
                        }
                    }
                }
                try (Socket s = Net.connect("::1", v6)) {
                    assertEquals("v4", Net.readLine(s), "IPv6 listener forwards to an IPv4 backend");
                }
                assertFalse(Net.accepts("127.0.0.1", v6), "-b ::1 listens on ::1 only");
                try (Socket s = Net.connect("127.0.0.1", mapped)) {
                    assertEquals("v4", Net.readLine(s), "::ffff:a.b.c.d binds the IPv4 address");
                }
            }
        }
    }

    @Test
    void ipv6BackendsAndNamedPorts() throws Exception {
        String service = freeNamedService();
        try (Backend v6 = new Backend("v6", Backend.IDENTIFY, java.net.InetAddress.getByName("::1"), 0)) {
            try (BalanceProcess p = BalanceProcess.start(dir, Map.of(), "-f", service, v6.channel())) {
                int port = org.balance.cli.Services.port(service);
                Net.await("listening on the named port", Duration.ofSeconds(20), () -> Net.accepts("127.0.0.1", port));
                try (Socket s = Net.connect(port)) {
                    assertEquals("v6", Net.readLine(s));
                }
            }
        }
    }

    /** A TCP service name from /etc/services whose port above 1024 is free right now. */
    private static String freeNamedService() throws Exception {
        for (String line : Files.readAllLines(Path.of("/etc/services"))) {
            int hash = line.indexOf('#');
            String[] w = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (w.length >= 2 && w[1].endsWith("/tcp")) {
                int port = Integer.parseInt(w[1].substring(0, w[1].indexOf('/')));
                if (port > 1024 && !Net.accepts("127.0.0.1", port) && org.balance.cli.Services.port(w[0]) == port) {
                    try (java.net.ServerSocket probe = new java.net.ServerSocket(port)) {
                        return w[0];
                    } catch (java.io.IOException inUse) {
                        // try the next one
                    }
                }
            }
        }
        throw new AssertionError("no free named port in /etc/services");
    }

    @Test
    void autodisableIsLoggedToSyslogInTheBackground() throws Exception {
        int dead = Net.freePort();
        int port = Net.freePort();
        try (Backend ok = new Backend("ok", Backend.IDENTIFY)) {
            inTheBackgroundLoggingToSyslog("", port, (pid, messages) -> {
                try (Socket s = Net.connect(port)) {
                    assertEquals("ok", Net.readLine(s));
                }
                Net.await("syslog lines", Duration.ofSeconds(10), () -> messages.size() >= 2);
                assertTrue(messages.get(0).matches("<29>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d balance\\[" + pid
                        + "\\]: connection failed group 0 channel 0"), messages.get(0));
                assertTrue(messages.get(1).endsWith("127.0.0.1:" + dead
                        + " needs to be enabled manually using balance -i after the problem is solved"), messages.get(1));
            }, "-a", String.valueOf(port), "127.0.0.1:" + dead, ok.channel());
        }
    }

    @Test
    void healthCheckStateChangesAreLoggedToSyslogInTheBackgroundOnce() throws Exception {
        int dead = Net.freePort();
        int port = Net.freePort();
        try (Backend ok = new Backend("ok", Backend.IDENTIFY)) {
            inTheBackgroundLoggingToSyslog("", port, (pid, messages) -> {
                String out = "balance[" + pid + "]: group 0 channel 0 (127.0.0.1:" + dead
                        + ") disabled by its checks: refused, 2 failures in a row";
                Net.await("the state change in syslog", Duration.ofSeconds(10),
                        () -> messages.stream().anyMatch(m -> m.endsWith(out)));
                Thread.sleep(1000); // ten more failing checks
                assertEquals(1, messages.stream().filter(m -> m.contains("disabled by its checks")).count(),
                        "logged once, not per check: " + messages);
                assertEquals(List.of(), messages.stream().filter(m -> m.contains("(" + ok.channel() + ")")).toList(),
                        "nothing about the channel that passes");
            }, "--check-interval", "0.1", "--check-fall", "2", String.valueOf(port), "127.0.0.1:" + dead, ok.channel());
        }
    }

    /**
     * Netty's own warnings go to the instance's log like its other messages: syslog in the background, one line
     * each. Through the JDK's logging (Netty's default) they went to stderr, /dev/null for a daemon. The warning
     * used here is the one Netty gives for a deprecated property.
     */
    @Test
    void nettysWarningsAreLoggedToSyslogInTheBackground() throws Exception {
        int port = Net.freePort();
        try (Backend ok = new Backend("ok", Backend.IDENTIFY)) {
            inTheBackgroundLoggingToSyslog("-Dio.netty.noResourceLeakDetection=true", port, (pid, messages) -> {
                try (Socket s = Net.connect(port)) {
                    assertEquals("ok", Net.readLine(s));
                }
                String warning = "balance[" + pid + "]: netty: -Dio.netty.noResourceLeakDetection is deprecated."
                        + " Use '-Dio.netty.leakDetection.level=disabled' instead.";
                Net.await("Netty's warning in syslog", Duration.ofSeconds(10),
                        () -> messages.stream().anyMatch(m -> m.endsWith(warning)));
                assertEquals(1, messages.size(), "nothing else: " + messages);
            }, String.valueOf(port), ok.channel());
        }
    }

    /** What a test checks of a background balance: its pid and the syslog messages it sent so far. */
    private interface SyslogCheck {
        void check(long pid, List<String> messages) throws Exception;
    }

    /**
     * Starts balance in the background with {@code args} (serving {@code port}) and {@code jvmOptions}, its syslog
     * going to a stand-in for /dev/log; runs {@code check}, then stops the daemon.
     */
    private void inTheBackgroundLoggingToSyslog(String jvmOptions, int port, SyslogCheck check, String... args)
            throws Exception {
        Path logSocket = dir.resolve("log.sock");
        try (SyslogReceiver syslog = SyslogReceiver.bind(logSocket)) {
            BalanceProcess.Result r = BalanceProcess.run(dir,
                    Map.of("BALANCE_JVM_OPTS", "-Dbalance.syslog=" + logSocket + " " + jvmOptions), args);
            assertEquals(0, r.status(), r.stderr());
            long pid = daemonPid(port);
            try {
                check.check(pid, syslog.messages());
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    /** A stand-in for /dev/log: a Unix datagram socket that keeps every message the daemon sends it. */
    private record SyslogReceiver(EventLoopGroup group, Channel socket, List<String> messages) implements AutoCloseable {
        static SyslogReceiver bind(Path path) throws InterruptedException {
            List<String> messages = new CopyOnWriteArrayList<>();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            try {
                Channel socket = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                        .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                                messages.add(p.content().toString(StandardCharsets.UTF_8));
                            }
                        })
                        .bind(new DomainSocketAddress(path.toString())).sync().channel();
                return new SyslogReceiver(group, socket, messages);
            } catch (InterruptedException | RuntimeException e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            try {
                socket.close().sync();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }
}
