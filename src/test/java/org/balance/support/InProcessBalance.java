package org.balance.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.balancing.Routing;
import org.balance.cli.CommandLine;
import org.balance.cli.ProxyConfig;
import org.balance.control.RunDirectory;
import org.balance.relay.Transport;
import org.balance.runtime.ProxyRuntime;
import org.balance.runtime.StartException;

/**
 * A balance running inside the test JVM in the foreground on a free port, with captured stdout and stderr.
 * In channel words, {@code {port}} stands for balance's own port (for self-referencing chains).
 */
public final class InProcessBalance implements AutoCloseable {
    public final int port;
    public final ProxyRuntime runtime;
    private final ByteArrayOutputStream out;
    private final ByteArrayOutputStream err;

    private InProcessBalance(int port, ProxyRuntime runtime, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        this.port = port;
        this.runtime = runtime;
        this.out = out;
        this.err = err;
    }

    public static InProcessBalance start(String... channels) throws Exception {
        return start(List.of(), channels);
    }

    /** Starts {@code balance [options] -f PORT channels...}. */
    public static InProcessBalance start(List<String> options, String... channels) throws Exception {
        return start(Transport.detect(), options, channels);
    }

    /** As {@link #start(List, String...)}, on the given transport. */
    public static InProcessBalance start(Transport transport, List<String> options, String... channels) throws Exception {
        return start(transport, null, options, channels);
    }

    /** As {@link #start(List, String...)}, with the control socket (and its neighbours) in {@code runDirectory}. */
    public static InProcessBalance start(Path runDirectory, List<String> options, String... channels) throws Exception {
        return start(Transport.detect(), runDirectory, options, channels);
    }

    private static InProcessBalance start(Transport transport, Path runDirectory, List<String> options, String... channels)
            throws Exception {
        StartException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = Net.freePort();
            List<String> args = new ArrayList<>(options);
            args.add("-f");
            args.add(String.valueOf(port));
            for (String c : channels) {
                args.add(c.replace("{port}", String.valueOf(port)));
            }
            ProxyConfig config = ProxyConfig.from(CommandLine.parse(args.toArray(String[]::new)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try {
                ProxyRuntime rt = ProxyRuntime.start(config, false,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        runDirectory == null ? null : new RunDirectory(runDirectory), transport);
                return new InProcessBalance(port, rt, out, err);
            } catch (StartException e) {
                last = e; // the free port was taken in between: try another
            }
        }
        throw new AssertionError("cannot start balance: " + last.getMessage());
    }

    public Routing routing() {
        return runtime.routing();
    }

    public Destination channel(int group, int channel) {
        return routing().group(group).channel(channel);
    }

    public String stdout() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    public String stderr() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sum of current connections over all channels. */
    public int currentConnections() {
        return routing().allChannels().stream().mapToInt(Destination::currentConnections).sum();
    }

    @Override
    public void close() {
        runtime.stop();
    }
}
