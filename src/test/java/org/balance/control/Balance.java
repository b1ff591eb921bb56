package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real {@code bin/balance -f} process on a free loopback port with its own run directory, and helpers to
 * drive it the way operators do: {@code bin/balance -c} and {@code bin/balance -i} with commands on standard
 * input, and client sessions through it.
 */
final class Balance implements AutoCloseable {
    static final Path HOME = Path.of(System.getProperty("balance.home", "."));
    static final Path LAUNCHER = HOME.resolve("bin/balance");
    static final String BIND = "127.0.0.1";

    private final Path runDir;
    private final Map<String, String> extraEnv;
    private final int port;
    private final Path log;
    private Process process;

    /** What a finished command printed and its exit status. */
    record Result(int status, String out, String err) {
    }

    private Balance(Path runDir, int port, Map<String, String> extraEnv) {
        this.runDir = runDir;
        this.port = port;
        this.extraEnv = extraEnv;
        this.log = runDir.resolve("balance-" + port + ".log");
    }

    /** A free loopback port: bind port 0, note it, let it go. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    /** Starts {@code balance -f -b 127.0.0.1 PORT channels...} and waits for its control socket. */
    static Balance start(Path runDir, Map<String, String> env, String... channels) throws Exception {
        return start(runDir, freePort(), env, channels);
    }

    static Balance start(Path runDir, int port, Map<String, String> env, String... channels) throws Exception {
        Balance b = new Balance(runDir, port, env);
        b.launch(channels);
        return b;
    }

    static Balance start(Path runDir, String... channels) throws Exception {
        return start(runDir, Map.of(), channels);
    }

    private void launch(String... channels) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "-f", "-b", BIND, Integer.toString(port)));
        command.addAll(List.of(channels));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put(RunDirectory.ENV, runDir.toString());
        pb.environment().putAll(extraEnv);
        process = pb.start();
        waitFor(() -> ControlSocketFile.isLive(socket()) || !process.isAlive(), 60_000);
        if (!process.isAlive()) {
            fail("balance exited with " + process.exitValue() + ": " + Files.readString(log));
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    Path socket() {
        return runDir.resolve("balance." + port + "." + BIND);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** {@code bin/balance -b 127.0.0.1 -c COMMAND PORT}. */
    Result command(String command) throws Exception {
        return run(null, runDir, extraEnv, "-b", BIND, "-c", command, Integer.toString(port));
    }

    /** {@code bin/balance -b 127.0.0.1 -i PORT} with {@code input} on standard input. */
    Result shell(String input) throws Exception {
        return run(input, runDir, extraEnv, "-b", BIND, "-i", Integer.toString(port));
    }

    /** The answer to {@code command}, which must succeed. */
    String answer(String command) throws Exception {
        Result r = command(command);
        if (r.status() != 0) {
            // with what the instance itself said, and whether it still runs: a bare "no master process" says neither
            fail("balance -c '" + command + "' exited " + r.status() + ": " + r.out() + r.err() + "; the instance "
                    + (process.isAlive() ? "runs" : "exited " + process.exitValue()) + ", its output:\n" + log());
        }
        return r.out();
    }

    /** Runs bin/balance with {@code args}, feeding {@code input} (none if null); bounded to 60 seconds. */
    static Result run(String input, Path runDir, Map<String, String> env, String... args) throws Exception {
        return run(List.of(), input, runDir, env, args);
    }

    /** As {@link #run(String, Path, Map, String...)}, with {@code prefix} before the launcher (setpriv ...). */
    static Result run(List<String> prefix, String input, Path runDir, Map<String, String> env, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("balance-out", ".txt");
        Path err = Files.createTempFile("balance-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put(RunDirectory.ENV, runDir.toString());
        pb.environment().putAll(env);
        if (input == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (input != null) {
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // the shell ended before reading everything (quit, kill)
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("bin/balance " + String.join(" ", args) + " did not finish");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** One session through balance: sends {@code line}, returns the answering backend's line. */
    String call(String line) throws IOException {
        try (Session s = open()) {
            return s.exchange(line);
        }
    }

    /** The name of the backend that serves a new session. */
    String whoServes() throws IOException {
        String answer = call("who");
        assertTrue(answer.endsWith(":who"), answer);
        return answer.substring(0, answer.indexOf(':'));
    }

    Session open() throws IOException {
        return new Session(port);
    }

    /** A client session through balance, kept open as long as the test needs. */
    static final class Session implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        Session(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(BIND, port), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        }

        /** Sends a line, returns the backend's answer line (null if balance closed the session). */
        String exchange(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static void waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        waitFor(condition, millis, () -> "");
    }

    static void waitFor(BooleanSupplier condition, long millis, Supplier<String> detail) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within " + millis + " ms " + detail.get());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
