package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.balance.balancing.ClientAddress;
import org.balance.balancing.Destination;

/**
 * Sits on an accepted client connection: has the {@link Connector} find and connect a server, then relays
 * client to server, counting "sent" bytes. Nothing is read from the client before the server connection
 * is up.
 */
final class ClientSideHandler extends RelayHandler {
    private final Connector connector;

    ClientSideHandler(RelaySettings settings, Connector connector) {
        super(settings);
        this.connector = connector;
    }

    @Override
    boolean towardsServer() {
        return true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        SocketAddress remote = client.remoteAddress();
        if (settings.log().isDebug()) {
            settings.log().debug("connect from " + remote);
        }
        byte[] address = remote instanceof InetSocketAddress inet ? ClientAddress.bytesOf(inet.getAddress()) : new byte[0];
        connector.connect(client, address, this);
        ctx.fireChannelActive();
    }

    /** Called by the connector on the session's event loop once the server connection is up. */
    void established(Channel client, Channel server, Destination destination) {
        attach(server, destination);
        readMore(client);
        readMore(server);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            settings.log().error("timed out after " + settings.idleTimeoutSeconds() + " seconds");
            closeBoth(ctx.channel(), peer);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
