package org.balance.control;

import org.balance.support.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never hurts the running instance: junk, long lines, silent clients, many clients at once and more
 * than the connection cap, all while sessions keep flowing through it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlRobustnessIT {
    private static final int CAP = 110;
    private static final String HEADER =
            "GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n";

    @TempDir
    Path runDir;

    /** Sends {@code bytes} on a raw control connection, optionally shuts down, returns all it answers. */
    private static String raw(Path socket, byte[] bytes, boolean shutdown) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            try {
                ByteBuffer out = ByteBuffer.wrap(bytes);
                while (out.hasRemaining()) {
                    c.write(out);
                }
                if (shutdown) {
                    c.shutdownOutput();
                }
            } catch (IOException e) {
                // closed before reading it all: a refusal, or an answer to what was read
            }
            return readAll(c);
        }
    }

    private static String readAll(SocketChannel c) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try {
            while (c.read(in) >= 0) {
                got.write(in.array(), 0, in.position());
                in.clear();
            }
        } catch (IOException e) {
            // a reset after the answer: the instance closed with our input unread
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String junkLines(int lines) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            s.append('\u00ff');
            for (int b = 0; b < 64; b++) {
                char c = (char) ((i * 31 + b * 7) % 256);
                s.append(c == '\n' ? '.' : c);
            }
            s.append('\n');
        }
        return s.toString();
    }

    @Test
    void badInputNeverHurtsTheInstance() throws Exception {
        try (Backend alpha = new Backend("alpha", Backend.NAME_EACH_LINE); Backend beta = new Backend("beta", Backend.NAME_EACH_LINE);
             Balance balance = Balance.start(runDir,
                     Map.of("BALANCE_JVM_OPTS", "-Dbalance.control.handshakeMillis=3000 -Dbalance.control.maxConnections=" + CAP),
                     "127.0.0.1:" + alpha.port(), "127.0.0.1:" + beta.port())) {
            Path socket = balance.socket();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread traffic = new Thread(() -> {
                while (running.get()) {
                    try {
                        String answer = balance.call("ping");
                        if (answer != null && answer.endsWith(":ping")) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }, "traffic");
            traffic.start();

            ExecutorService pool = Executors.newFixedThreadPool(120);
            try {
                // clients that connect and say nothing are closed after the handshake time
                List<SocketChannel> silent = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    silent.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
                }
                long silentSince = System.nanoTime();

                // a hundred clients at once, each with its kind of input
                String longLine = "x".repeat(200_000);
                String junk = junkLines(50);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int kind = i % 4;
                    answers.add(pool.submit(() -> {
                        go.await();
                        return switch (kind) {
                            case 0 -> raw(socket, bytes("-c show\n"), true);
                            case 1 -> raw(socket, bytes("-i\n" + junk + "\u0000\n"), true);
                            case 2 -> raw(socket, bytes("-i\n" + longLine + "\nversion\n"), true);
                            default -> raw(socket, bytes("\u00ff\u0000junk\n-c show\n"), false);
                        };
                    }));
                }
                List<Future<Balance.Result>> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    clients.add(pool.submit(() -> balance.command("show")));
                }
                go.countDown();
                for (int i = 0; i < answers.size(); i++) {
                    String a = answers.get(i).get(60, TimeUnit.SECONDS);
                    switch (i % 4) {
                        case 0 -> assertTrue(a.startsWith(HEADER) && a.endsWith("\u00000"), a);
                        case 1 -> assertEquals(banner(balance) + "balance[0] " + "syntax error\nbalance[0] ".repeat(50)
                                + "\n\u00000", a);
                        case 2 -> assertEquals(banner(balance) + "balance[0] syntax error\nbalance[0]   This is balance 4.0\n"
                                + "  MAXGROUPS=32\n  MAXCHANNELS=64\nbalance[0] \n\u00000", a);
                        default -> assertEquals("syntax error\n\u000064", a);
                    }
                }
                for (Future<Balance.Result> f : clients) {
                    Balance.Result r = f.get(60, TimeUnit.SECONDS);
                    assertEquals(0, r.status(), r.toString());
                    assertTrue(r.out().startsWith(HEADER), r.toString());
                }

                for (SocketChannel s : silent) {
                    try (s) {
                        assertEquals("", pool.submit(() -> readAll(s)).get(20, TimeUnit.SECONDS));
                    }
                }
                long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
                assertTrue(silentMillis >= 2500, "silent clients closed after " + silentMillis + " ms");

                // more connections than the cap: the one over it is told so, the instance carries on
                List<SocketChannel> held = new ArrayList<>();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (held.size() < CAP && System.nanoTime() < deadline) {
                        // open shells, so that the handshake time does not close them while we look; a shell
                        // refused because earlier connections were still closing is opened again
                        SocketChannel shell = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                        shell.write(ByteBuffer.wrap(bytes("-i\n")));
                        ByteBuffer first = ByteBuffer.allocate(8);
                        while (first.hasRemaining() && shell.read(first) >= 0) {
                            // the banner begins "\nbalance", a refusal "too many"
                        }
                        if (new String(first.array(), StandardCharsets.ISO_8859_1).equals("\nbalance")) {
                            held.add(shell);
                        } else {
                            shell.close();
                            Thread.sleep(20);
                        }
                    }
                    assertEquals(CAP, held.size());
                    AtomicReference<String> last = new AtomicReference<>();
                    Balance.waitFor(() -> {
                        try {
                            last.set(raw(socket, bytes("-c version\n"), true));
                            return last.get().equals("too many control connections, try again later\n\u000069");
                        } catch (IOException e) {
                            last.set(e.toString());
                            return false;
                        }
                    }, 15_000, () -> "last answer: " + last.get());
                } finally {
                    for (SocketChannel s : held) {
                        s.close();
                    }
                }
                Balance.waitFor(() -> {
                    try {
                        return raw(socket, bytes("-c version\n"), true).startsWith("  This is balance");
                    } catch (IOException e) {
                        return false;
                    }
                }, 10_000);

                // bad arguments through the real client
                assertEquals("syntax error\n", balance.answer("maxc 0 x"));
                assertEquals("value out of range\n", balance.answer("maxc 0 99999999999999999999"));
                assertEquals("syntax error\n", balance.answer("\u0001\u0002"));
                assertEquals("syntax error\n", balance.answer("x".repeat(5_000)));
            } finally {
                pool.shutdownNow();
                running.set(false);
                traffic.join(20_000);
            }

            assertEquals(0, failed.get(), "sessions that failed while the control socket was abused");
            assertTrue(ok.get() > 10, "sessions through balance: " + ok.get());
            // every session counted once: totalc over both channels equals the sessions made, none left open
            Balance.waitFor(() -> {
                try {
                    return totals(balance.answer("show"))[1] == 0;
                } catch (Exception e) {
                    return false;
                }
            }, 10_000);
            long[] totals = totals(balance.answer("show"));
            assertEquals(ok.get(), totals[0]);
            assertEquals(ok.get() * "ping\n".length(), totals[2]);
            assertEquals(Arrays.asList(true, true), List.of(balance.process().isAlive(), balance.log().isEmpty()),
                    balance.log());
        }
    }

    private static String banner(Balance balance) {
        return "\nbalance 4.0 interactive command shell\nPID of master process is " + balance.pid() + "\n\n";
    }

    /** Sums of totalc, c and sent over all rows of a {@code show} answer. */
    private static long[] totals(String show) {
        long[] sums = new long[3];
        Pattern row = Pattern.compile("^\\s*\\d+\\s+\\S+\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\d+\\s+(\\d+)\\s+(\\d+)\\s+\\d+\\s+(\\d+)\\s+\\d+$",
                Pattern.MULTILINE);
        Matcher m = row.matcher(show);
        while (m.find()) {
            sums[0] += Long.parseLong(m.group(2));
            sums[1] += Long.parseLong(m.group(1));
            sums[2] += Long.parseLong(m.group(3));
        }
        return sums;
    }
}
