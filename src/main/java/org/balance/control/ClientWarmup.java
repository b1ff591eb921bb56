package org.balance.control;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.balance.cli.CommandLine;
import org.balance.cli.ExitStatus;
import org.balance.cli.Options;
import org.balance.cli.ProxyConfig;
import org.balance.cli.UsageException;

/**
 * One round trip of {@code balance -c show} against a stand-in instance in a private temporary directory, so
 * that bin/balance can record the control client's classes in a class-data sharing archive once per jar
 * ({@code -XX:ArchiveClassesAtExit}). Prints nothing; exits 0 if the round trip worked.
 */
public final class ClientWarmup {

    private ClientWarmup() {
    }

    public static void main(String[] args) throws IOException, InterruptedException, UsageException {
        Path dir = Files.createTempDirectory("balance-warmup-");
        Path socket = dir.resolve("balance.1.0.0.0.0");
        int status;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread instance = new Thread(() -> answer(server), "warmup-instance");
            instance.start();
            Options options = CommandLine.parse("-c", "show", "1");
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
            status = ControlClient.run(options, ProxyConfig.listenPort(options.port()),
                    new ByteArrayInputStream(new byte[0]), discard, discard, Map.of(RunDirectory.ENV, dir.toString()));
            instance.join(5_000);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        System.exit(status == ExitStatus.OK ? 0 : 1);
    }

    private static void answer(ServerSocketChannel server) {
        try (SocketChannel c = server.accept()) {
            ByteBuffer in = ByteBuffer.allocate(256);
            while (c.read(in) >= 0 && in.hasRemaining()) {
                // read the command line up to the client's shutdown
            }
            byte[] answer = ("GRP\n" + (char) ControlProtocol.END + "0").getBytes(StandardCharsets.ISO_8859_1);
            c.write(ByteBuffer.wrap(answer));
        } catch (IOException ignored) {
            // the client reports the failure
        }
    }
}
