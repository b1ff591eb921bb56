package org.balance.relay;

import java.net.InetSocketAddress;

/**
 * One ended session, as {@code --log-sessions} writes it: made on the event loop when the client connection closes,
 * written by the session log's own thread.
 *
 * @param client        the client's address and port (the PROXY header's with {@code --accept-proxy}), or null
 * @param listenPort    the port it connected to on balance
 * @param group         the group of the channel it was relayed to, or -1 if none
 * @param channel       that channel, or -1
 * @param server        that channel's address and port, or null
 * @param connectNanos  from choosing a channel to the server connection being up, failed attempts included; -1 if
 *                      never up
 * @param durationNanos from accepting the client to its connection closing
 * @param sent          bytes relayed client to server
 * @param received      bytes relayed server to client
 * @param end           how it ended
 */
public record SessionRecord(InetSocketAddress client, int listenPort, int group, int channel, InetSocketAddress server,
                            long connectNanos, long durationNanos, long sent, long received, End end) {

    /** How a session ended: the first of these that happened to it. */
    public enum End {
        /** The client ended its side first (FIN, or its connection closed). */
        CLIENT_CLOSED("client-closed"),
        /** The server ended its side first. */
        SERVER_CLOSED("server-closed"),
        /** A read or write failed on either side (a reset, mostly) before either side ended. */
        RESET("reset"),
        /** Nothing moved for {@code -T} seconds. */
        IDLE_TIMEOUT("idle-timeout"),
        /** No server connection could be made: every channel tried failed, or none was available. */
        CONNECT_FAILED("connect-failed"),
        /** Over {@code --source-limit}. */
        REFUSED_LIMIT("refused-limit"),
        /** Denied by {@code --allow} / {@code --deny}. */
        REFUSED_LIST("refused-list"),
        /** Missing or invalid PROXY header ({@code --accept-proxy}): closed before it had an origin. */
        NO_PROXY_HEADER("no-proxy-header"),
        /** Closed when a stop's drain time ({@code --drain-timeout}) was up. */
        DRAINED("drained");

        private final String label;

        End(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
