package org.balance.control;

import io.netty.channel.Channel;

/**
 * How a running instance gives its listening socket to a new one that takes it over ({@code balance --takeover},
 * a restart): over the control socket, on a connection whose mode line is {@link ControlProtocol#TAKEOVER}.
 */
public interface Handover {

    /**
     * Sends the listening socket over {@code connection} (the instance goes on accepting until {@link #taken()});
     * returns null once it is sent, or why it cannot be.
     */
    String give(Channel connection);

    /** The new instance serves the port now: stop accepting and drain. */
    void taken();

    /** The connection ended before the new instance said it serves: go on as before. */
    void abandoned();
}
