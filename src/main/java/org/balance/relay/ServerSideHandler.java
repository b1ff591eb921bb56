package org.balance.relay;

import io.netty.channel.Channel;
import org.balance.balancing.Destination;

/** Sits on the connection to the chosen server: relays server to client, counting "rcvd" bytes. */
final class ServerSideHandler extends RelayHandler {

    ServerSideHandler(RelaySettings settings, UrgentData urgent, Channel client, Destination destination, SessionTrace trace) {
        super(settings, urgent);
        attach(client, destination);
        this.trace = trace;
    }

    @Override
    boolean towardsServer() {
        return false;
    }

    @Override
    void inputEnded(Channel self) {
        ending(SessionRecord.End.SERVER_CLOSED);
        super.inputEnded(self);
    }
}
