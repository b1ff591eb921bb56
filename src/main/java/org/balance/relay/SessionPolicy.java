package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;

/**
 * What decides or decorates a session before the relay moves its bytes (the PROXY protocol, {@code proxyprotocol/}),
 * in a room of its own: the relay calls it at two points and knows nothing of what it does.
 */
public interface SessionPolicy {
    /** No policy: sessions start at once with the connection's own addresses, and nothing precedes the relayed bytes. */
    SessionPolicy NONE = new SessionPolicy() {
        @Override
        public boolean admit(ChannelPipeline client) {
            return false;
        }

        @Override
        public boolean beforeRelay(Channel server, int group, int channel, Origin origin) {
            return false;
        }
    };

    /**
     * A client was accepted: adds what must see its connection before the relay, ahead of it in {@code client}.
     * Returns true if those handlers will fire the session's {@link Origin} as a user event (the relay waits for it
     * before a channel is chosen; they close the connection instead if it never comes), false if the session starts
     * at once with {@link Origin#of the connection's own addresses}.
     */
    boolean admit(ChannelPipeline client);

    /**
     * The session's server connection (to channel {@code channel} of group {@code group}) is up: writes, without
     * flushing, whatever must come before the first relayed byte. Returns true if something was written.
     */
    boolean beforeRelay(Channel server, int group, int channel, Origin origin);
}
