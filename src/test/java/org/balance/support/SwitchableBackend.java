package org.balance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend on one loopback port that can be switched between states, as a real server goes through them:
 * up, dead (nothing listens: connects are refused), hung (listening with a full accept queue: connects time
 * out) and wrong (accepts, but answers everything with an error). Switching stops the listener only: sessions
 * it is serving go on to their end, as they would on a server whose listener died or stuck.
 *
 * <p>The protocol, Redis-like: {@code PING} is answered {@code +PONG}, any other line {@code L} with
 * {@code NAME:L}; when wrong, every line with {@code -ERR broken}.
 */
public final class SwitchableBackend implements AutoCloseable {
    public enum Mode { UP, DEAD, HUNG, WRONG }

    public static final Backend.Behaviour PROTOCOL = answering(false);
    public static final Backend.Behaviour BROKEN = answering(true);

    public final String name;
    private final int port;
    private final List<Backend> retired = new ArrayList<>();
    private Backend serving;
    private HungListener hung;
    private Mode mode;

    public SwitchableBackend(String name) throws IOException {
        this.name = name;
        this.serving = new Backend(name, PROTOCOL);
        this.port = serving.port();
        this.mode = Mode.UP;
    }

    private static Backend.Behaviour answering(boolean broken) {
        return (s, self) -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                String answer = broken ? "-ERR broken\r\n" : line.equals("PING") ? "+PONG\r\n" : self.name + ":" + line + "\n";
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }

    public int port() {
        return port;
    }

    public String channel() {
        return "127.0.0.1:" + port;
    }

    public synchronized Mode mode() {
        return mode;
    }

    public synchronized void set(Mode next) throws IOException {
        if (serving != null) {
            serving.stopListening();
            retired.add(serving);
            serving = null;
        }
        if (hung != null) {
            hung.close();
            hung = null;
        }
        switch (next) {
            case UP -> serving = new Backend(name, PROTOCOL, InetAddress.getLoopbackAddress(), port);
            case WRONG -> serving = new Backend(name, BROKEN, InetAddress.getLoopbackAddress(), port);
            case HUNG -> hung = new HungListener(port);
            case DEAD -> { }
        }
        mode = next;
    }

    @Override
    public synchronized void close() throws IOException {
        if (serving != null) {
            serving.close();
        }
        if (hung != null) {
            hung.close();
        }
        retired.forEach(Backend::close);
    }
}
