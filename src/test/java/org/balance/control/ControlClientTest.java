package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.balance.cli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted stand-in for the instance. */
@Timeout(20)
class ControlClientTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private String out() {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private int run(String... args) throws Exception {
        return ControlClient.run(CommandLine.parse(args), Integer.parseInt(args[args.length - 1]),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true),
                Map.of(RunDirectory.ENV, temp.toString()));
    }

    /** Accepts one connection, reads what the client sends until it shuts down output, then answers. */
    private CompletableFuture<String> serve(Path path, String answer) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (c.read(buf) >= 0) {
                    got.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.ISO_8859_1)));
                return got.toString(StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void noInstanceIsNoMasterProcess() throws Exception {
        assertEquals(69, run("-c", "show", "8888"));
        assertEquals("no master process, exiting.\n", out());
    }

    @Test
    void aStaleSocketIsNoMasterProcess() throws Exception {
        Path path = temp.resolve("balance.8888.0.0.0.0");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertTrue(Files.exists(path));
        assertEquals(69, run("-c", "show", "8888"));
        assertEquals("no master process, exiting.\n", out());
    }

    @Test
    void sendsTheCommandAndPrintsTheAnswerUpToTheEndMark() throws Exception {
        CompletableFuture<String> got = serve(temp.resolve("balance.8888.127.0.0.1"), "channel 1 disabled\n\u00000");
        assertEquals(0, run("-b", "127.0.0.1", "-c", "disable\n1", "8888"));
        assertEquals("-c disable 1\n", got.get(5, TimeUnit.SECONDS));
        assertEquals("channel 1 disabled\n", out());
    }

    @Test
    void theInstancesStatusBecomesTheExitStatus() throws Exception {
        serve(temp.resolve("balance.8888.0.0.0.0"), "shutdown failed.\n\u000069");
        assertEquals(69, run("-c", "kill", "8888"));
        assertEquals("shutdown failed.\n", out());
    }

    @Test
    void anInstanceThatGoesAwayMidwayIsAnError() throws Exception {
        serve(temp.resolve("balance.8888.0.0.0.0"), "GRP Type");
        assertEquals(69, run("-c", "show", "8888"));
        assertEquals("GRP Type", out());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("went away"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void interactiveSendsStandardInputAndShutsDownAtItsEnd() throws Exception {
        Path path = temp.resolve("balance.8888.0.0.0.0");
        CompletableFuture<String> got = serve(path, "\nbanner\nbalance[0] \n\u00000");
        InputStream in = new ByteArrayInputStream("show\nquit\n".getBytes(StandardCharsets.ISO_8859_1));
        int status = ControlClient.run(path, "-i\n", in, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, status);
        assertEquals("-i\nshow\nquit\n\u0000\n", got.get(5, TimeUnit.SECONDS));
        assertEquals("\nbanner\nbalance[0] \n", out());
    }

    @Test
    void aLastLineWithoutNewlineIsEndedBeforeTheEndOfInputLine() throws Exception {
        Path path = temp.resolve("balance.8888.0.0.0.0");
        CompletableFuture<String> got = serve(path, "\u00000");
        InputStream in = new ByteArrayInputStream("show".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(0, ControlClient.run(path, "-i\n", in, new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals("-i\nshow\n\u0000\n", got.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRefusalBeforeReadingIsStillPrinted() throws Exception {
        Path path = temp.resolve("balance.8888.0.0.0.0");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        CompletableFuture.runAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                c.write(ByteBuffer.wrap("too many control connections, try again later\n\u000069"
                        .getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        String big = "x".repeat(1_000_000);
        assertEquals(69, run("-c", big, "8888"));
        assertEquals("too many control connections, try again later\n", out());
    }

    @Test
    void theEndMarkMaySplitAcrossReads() throws Exception {
        Path path = temp.resolve("balance.8888.0.0.0.0");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        CompletableFuture.runAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                for (String piece : List.of("a", "b\u0000", "7", "7")) {
                    c.write(ByteBuffer.wrap(piece.getBytes(StandardCharsets.ISO_8859_1)));
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(77, run("-c", "x", "8888"), out() + err.toString(StandardCharsets.UTF_8));
        assertEquals("ab", out());
    }
}
