package org.balance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Small loopback helpers for tests: free ports, connecting, reading, bounded waiting. */
public final class Net {
    private Net() {
    }

    /** A port that was free a moment ago (bind port 0, then release it). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public static Socket connect(int port) throws IOException {
        return connect("127.0.0.1", port);
    }

    public static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** Reads one line (without the newline), or null at end of stream. */
    public static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                return line.toString(StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    /** Sends {@code text} and a newline through an echoing session and checks that the same line comes back. */
    public static void roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        String back = readLine(s);
        if (!text.equals(back)) {
            throw new AssertionError("sent [" + text + "], got back [" + back + "]");
        }
    }

    public static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    /** Waits until the condition holds; fails the test after the timeout. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** One row of /proc/net/tcp or tcp6: ports, state (1 = established) and active timer (2 = keepalive). */
    public record TcpSocket(int localPort, int remotePort, int state, int timer) {
    }

    /** Every TCP socket of this machine's network namespace, IPv4 and IPv6, as the kernel lists them. */
    public static java.util.List<TcpSocket> tcpSockets() throws IOException {
        java.util.List<TcpSocket> all = new java.util.ArrayList<>();
        for (String file : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                all.add(new TcpSocket(hexPort(f[1]), hexPort(f[2]), Integer.parseInt(f[3], 16),
                        Integer.parseInt(f[5].substring(0, f[5].indexOf(':')), 16)));
            }
        }
        return all;
    }

    private static int hexPort(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    /** True once something accepts TCP connections on the port. */
    public static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
