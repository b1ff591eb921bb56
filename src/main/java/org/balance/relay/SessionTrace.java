package org.balance.relay;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.balance.relay.SessionRecord.End;

/**
 * What {@code --log-sessions} notes about one session while it runs: touched only on its event loop (both of its
 * connections share it), and only made when the log is on.
 */
final class SessionTrace {
    private final long acceptedNanos = System.nanoTime();
    Origin origin;
    /** The connection's own client address: the log's until an origin is known (none if the PROXY header never came). */
    private InetSocketAddress connection;
    private int listenPort;
    private long connectStartNanos;
    private long connectNanos = -1;
    private int group = -1;
    private int channel = -1;
    private InetSocketAddress server;
    long sent;
    long received;
    private End end;

    /** How the session ended, if nothing ended it before. */
    void end(End why) {
        if (end == null) {
            end = why;
        }
    }

    void accepted(Channel client) {
        Origin own = Origin.of(client);
        connection = own.source();
        listenPort = own.destination() == null ? 0 : own.destination().getPort();
    }

    void connecting() {
        connectStartNanos = System.nanoTime();
    }

    void connected(int group, int channel, InetSocketAddress server) {
        connectNanos = System.nanoTime() - connectStartNanos;
        this.group = group;
        this.channel = channel;
        this.server = server;
    }

    SessionRecord record(End otherwise) {
        end(otherwise);
        return new SessionRecord(origin == null ? connection : origin.source(), listenPort, group, channel, server, connectNanos,
                System.nanoTime() - acceptedNanos, sent, received, end);
    }
}
