package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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

    /** The daemon's pid, found by its command line. */
    static long daemonPid(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine()
                        .map(c -> c.contains("org.balance.cli.Main ") && c.contains(" " + port + " ")).orElse(false))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no daemon for port " + port));
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
                assertTrue(Files.exists(socket), "control socket " + socket);
                p.process.destroy();
                assertTrue(p.process.waitFor(10, TimeUnit.SECONDS), "exits on SIGTERM");
                assertFalse(Net.accepts("127.0.0.1", port), "port freed");
                assertFalse(Files.exists(socket), "control socket removed");
                assertNoStackTrace(p.stderr());
            }
        }
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
        Path logSocket = dir.resolve("log.sock");
        List<String> messages = new CopyOnWriteArrayList<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel receiver = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                            ByteBuf b = p.content();
                            messages.add(b.toString(StandardCharsets.UTF_8));
                        }
                    })
                    .bind(new DomainSocketAddress(logSocket.toString())).sync().channel();
            int dead = Net.freePort();
            int port = Net.freePort();
            try (Backend ok = new Backend("ok", Backend.IDENTIFY)) {
                BalanceProcess.Result r = BalanceProcess.run(dir,
                        Map.of("BALANCE_JVM_OPTS", "-Dbalance.syslog=" + logSocket),
                        "-a", String.valueOf(port), "127.0.0.1:" + dead, ok.channel());
                assertEquals(0, r.status(), r.stderr());
                long pid = daemonPid(port);
                try {
                    try (Socket s = Net.connect(port)) {
                        assertEquals("ok", Net.readLine(s));
                    }
                    Net.await("syslog lines", Duration.ofSeconds(10), () -> messages.size() >= 2);
                    assertTrue(messages.get(0).matches("<29>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d balance\\[" + pid
                            + "\\]: connection failed group 0 channel 0"), messages.get(0));
                    assertTrue(messages.get(1).endsWith("127.0.0.1:" + dead
                            + " needs to be enabled manually using balance -i after the problem is solved"), messages.get(1));
                } finally {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                }
            }
            receiver.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
