package org.balance.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.balance.cli.CommandLine;
import org.balance.cli.ProxyConfig;
import org.balance.control.ControlClient;
import org.balance.control.RunDirectory;
import org.balance.log.NettyLog;

/**
 * A short real run used by bin/balance to record a class-data-sharing archive (AppCDS) for faster start-up:
 * starts a proxy on a free loopback port in front of an echo server, passes one session through it, stops.
 * Exits 0 on success; the launcher ignores failures (the archive is only an optimisation).
 */
public final class Warmup {

    private Warmup() {
    }

    public static void main(String[] args) throws Exception {
        NettyLog.install();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket backend = new ServerSocket(0, 50, loopback); ServerSocket probe = new ServerSocket(0, 1, loopback)) {
            int port = probe.getLocalPort();
            probe.close();
            Thread echo = new Thread(() -> echoOnce(backend), "warmup-echo");
            echo.setDaemon(true);
            echo.start();
            ProxyConfig config = ProxyConfig.from(CommandLine.parse("-f", "-b", "127.0.0.1", String.valueOf(port),
                    "127.0.0.1:" + backend.getLocalPort()));
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            Path runDir = Files.createTempDirectory("balance-warmup-");
            Map<String, String> env = Map.of(RunDirectory.ENV, runDir.toString());
            ProxyRuntime runtime = ProxyRuntime.start(config, false, quiet, quiet, RunDirectory.fromEnvironment(env));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(loopback, port), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write("warmup\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
                // the control server's side of a command, too
                ControlClient.run(CommandLine.parse("-b", "127.0.0.1", "-c", "show", String.valueOf(port)), port,
                        InputStream.nullInputStream(), quiet, quiet, env);
            } finally {
                runtime.stop();
                Files.deleteIfExists(runDir);
            }
        }
        System.exit(0);
    }

    private static void echoOnce(ServerSocket backend) {
        try (Socket s = backend.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the warm-up run only needs the proxy's classes loaded
        }
    }
}
