package org.balance.relay;

import io.netty.channel.Channel;
import org.balance.balancing.Destination;

/** Sits on the connection to the chosen server: relays server to client, counting "rcvd" bytes. */
final class ServerSideHandler extends RelayHandler {

    ServerSideHandler(RelaySettings settings, UrgentData urgent, Channel client, Destination destination) {
        super(settings, urgent);
        attach(client, destination);
    }

    @Override
    boolean towardsServer() {
        return false;
    }
}
