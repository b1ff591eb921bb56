package org.balance.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.balance.cli.ExitStatus;
import org.balance.cli.Options;
import org.balance.cli.ProxyConfig;

/**
 * {@code balance -i PORT} and {@code balance -c CMD PORT}: connects to the running instance's control socket
 * and is a dumb pipe. It sends the mode line ({@link ControlProtocol}), then, for {@code -i}, standard input
 * as it comes, and at its end the end-of-input line and a shutdown of its sending side; everything the instance answers goes to
 * standard output until the instance's end mark, which carries the exit status. The instance does all the
 * shell's work: banner, prompts, answers.
 *
 * <p>Exit statuses: the instance's (0 normally), 69 when no instance runs ({@code no master process, exiting.},
 * as the original) or when it goes away mid-way, 77 when the socket's permissions refuse us.
 * Uses java.base only, so that it starts fast: MRTG runs it every few minutes.
 */
public final class ControlClient {
    /** sysexits EX_NOPERM: the control socket belongs to someone else. */
    static final int NO_PERMISSION = 77;

    private ControlClient() {
    }

    public static int run(Options options, int port, InputStream in, PrintStream out, PrintStream err,
                          Map<String, String> env) {
        Path socket;
        try {
            socket = RunDirectory.fromEnvironment(env).socketPath(port, ProxyConfig.bindText(options.bindAddress()));
        } catch (IllegalArgumentException e) {
            return noMaster(out);
        }
        String tooLong = RunDirectory.unusableReason(socket);
        if (tooLong != null) {
            err.println("balance: " + tooLong);
            return ExitStatus.OS_ERROR;
        }
        String first = options.mode() == Options.Mode.CONTROL_COMMAND
                ? ControlProtocol.commandLine(options.command())
                : ControlProtocol.SHELL + "\n";
        return run(socket, first, options.mode() == Options.Mode.CONTROL_SHELL ? in : null, out, err);
    }

    /** Talks to the instance at {@code socket}; {@code in} is null for a one-shot command. */
    static int run(Path socket, String firstLine, InputStream in, PrintStream out, PrintStream err) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return noMaster(out);
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            err.println("balance: cannot open a Unix socket: " + e.getMessage());
            return ExitStatus.OS_ERROR;
        }
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                String reason = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                if (reason.contains("permission denied")) {
                    err.println("balance: permission denied: " + socket);
                    return NO_PERMISSION;
                }
                return noMaster(out);
            }
            try {
                writeFully(channel, firstLine.getBytes(ControlProtocol.CHARSET));
                if (in == null) {
                    channel.shutdownOutput();
                }
            } catch (IOException e) {
                // refused at once (too many connections, permission): the answer says why
                return copyAnswer(channel, out, err);
            }
            if (in != null) {
                startCopying(in, channel);
            }
            return copyAnswer(channel, out, err);
        } catch (IOException e) {
            err.println("balance: lost the connection to the master process: " + e.getMessage());
            return ExitStatus.UNAVAILABLE;
        }
    }

    private static int noMaster(PrintStream out) {
        out.println("no master process, exiting.");
        return ExitStatus.UNAVAILABLE;
    }

    /** Standard input to the instance on a daemon thread; the exit ends it if the instance finishes first. */
    private static void startCopying(InputStream in, SocketChannel channel) {
        Thread copier = new Thread(() -> {
            byte[] buffer = new byte[8192];
            byte last = '\n';
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (n > 0) {
                        writeFully(channel, buffer, n);
                        last = buffer[n - 1];
                    }
                }
                String end = (last == '\n' ? "" : "\n") + ControlProtocol.END_OF_INPUT + "\n";
                writeFully(channel, end.getBytes(ControlProtocol.CHARSET));
                channel.shutdownOutput();
            } catch (IOException e) {
                // the instance closed the connection; the reading side reports how it ended
            }
        }, "balance-stdin");
        copier.setDaemon(true);
        copier.start();
    }

    /** The instance's output to {@code out} up to the end mark; returns the status after it. */
    private static int copyAnswer(SocketChannel channel, PrintStream out, PrintStream err) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        ByteArrayOutputStream status = null;
        while (true) {
            try {
                if (channel.read(buffer) < 0) {
                    break;
                }
            } catch (IOException e) {
                if (status == null) {
                    throw e;
                }
                // The instance closed while input it never needed (more -i lines) was unread, so the
                // kernel reports a reset instead of the end of the stream; everything it said has arrived.
                break;
            }
            buffer.flip();
            byte[] bytes = buffer.array();
            int length = buffer.limit();
            int start = 0;
            if (status == null) {
                int end = indexOf(bytes, length, ControlProtocol.END);
                out.write(bytes, 0, end < 0 ? length : end);
                out.flush();
                if (end >= 0) {
                    status = new ByteArrayOutputStream();
                    start = end + 1;
                }
            }
            if (status != null && status.size() < 16) {
                status.write(bytes, start, Math.min(length - start, 16));
            }
            buffer.clear();
        }
        out.flush();
        if (status == null) {
            err.println("balance: the master process went away, exiting.");
            return ExitStatus.UNAVAILABLE;
        }
        try {
            return Integer.parseInt(status.toString(ControlProtocol.CHARSET).trim());
        } catch (NumberFormatException e) {
            err.println("balance: unreadable exit status from the master process");
            return ExitStatus.SOFTWARE;
        }
    }

    private static int indexOf(byte[] bytes, int length, byte value) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        writeFully(channel, bytes, bytes.length);
    }

    private static void writeFully(SocketChannel channel, byte[] bytes, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
