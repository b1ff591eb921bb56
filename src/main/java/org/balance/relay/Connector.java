package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import org.balance.balancing.ClientAddress;
import org.balance.balancing.ConnectStats;
import org.balance.balancing.Destination;
import org.balance.balancing.Selection;
import org.balance.log.Log;

/**
 * Connects a new session to a server. Asks the balancer for a channel, connects on the client's event loop,
 * and on a refused or timed-out connect asks again with the failed channels to avoid, starting at the group
 * that failed; when nothing is left the client is closed. A channel's connection slot is given back when
 * the server connection closes, whichever way it ends, so the counts return to zero.
 */
final class Connector {
    private final RelaySettings settings;
    private final Transport transport;
    private final ResourceTrouble trouble;
    private final UrgentData urgent;

    Connector(RelaySettings settings, Transport transport, ResourceTrouble trouble) {
        this.settings = settings;
        this.transport = transport;
        this.trouble = trouble;
        this.urgent = transport.urgentData();
    }

    /** Finds and connects a server for the session of {@code client}, which is for {@code origin}. */
    void connect(Channel client, Origin origin, ClientSideHandler session) {
        InetSocketAddress source = origin.source();
        byte[] clientAddress = source == null ? new byte[0] : ClientAddress.bytesOf(source.getAddress());
        attempt(client, origin, clientAddress, session, settings.balancer().select(clientAddress), null);
    }

    private void attempt(Channel client, Origin origin, byte[] clientAddress, ClientSideHandler session,
                         Selection selection, Set<Destination> failed) {
        Log log = settings.log();
        if (!selection.isPicked()) {
            if (log.isDebug()) {
                log.debug("no channel available (" + selection.outcome() + "), closing client " + client.remoteAddress());
            }
            settings.sessions().nothingAvailable();
            session.ending(SessionRecord.End.CONNECT_FAILED);
            client.close();
            return;
        }
        Destination destination = selection.destination();
        if (!client.isActive()) {
            destination.release();
            return;
        }
        if (log.isDebug()) {
            log.debug("trying group " + selection.group() + " channel " + selection.channel() + " (" + destination + ") ...");
        }
        InetSocketAddress remote = destination.endpoint().address();
        SocketChannel server;
        try {
            // A socket of the destination's own family: no dual-stack IPv6 socket for an IPv4 server.
            server = transport.newSocketChannel(remote.getAddress() instanceof Inet6Address);
        } catch (ChannelException e) {
            // No socket could even be made here (out of descriptors): not the server's fault, and the
            // other channels would fail the same way. Give up on this client without blaming anyone.
            destination.release();
            Throwable why = e.getCause() == null ? e : e.getCause();
            trouble.failed(client.eventLoop(), "connect to " + destination + ": " + ProxyServer.reason(why));
            session.ending(SessionRecord.End.CONNECT_FAILED);
            client.close();
            return;
        }
        SocketChannelConfig config = server.config();
        config.setConnectTimeoutMillis(settings.connectTimeoutMillis());
        config.setKeepAlive(true);
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        SessionBuffers.apply(config);
        if (transport.isNative()) {
            config.setOption(UrgentData.NATIVE_OOB_INLINE, 1);
        } else if (urgent.nioOobInline() != null) {
            config.setOption(urgent.nioOobInline(), true);
        }
        server.pipeline().addLast(new ServerSideHandler(settings, urgent, client, destination, session.trace));
        // The slot goes back when this connection closes, whichever way: a failed connect closes it too.
        server.closeFuture().addListener(closed -> destination.release());
        // Registering on the client's own event loop completes at once: both sockets share one thread.
        client.eventLoop().register(server);
        long started = System.nanoTime();
        ChannelFuture connecting = Transport.connect(server, remote,
                settings.sourceAddress() == null ? null : new InetSocketAddress(settings.sourceAddress(), 0));
        connecting.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                destination.connects().connected(System.nanoTime() - started);
                if (log.isDebug()) {
                    log.debug("connect to group " + selection.group() + " channel " + selection.channel() + " successful");
                }
                if (!client.isActive()) {
                    server.close();
                    return;
                }
                boolean written = settings.policy().beforeRelay(server, selection.group(), selection.channel(), origin);
                session.established(client, server, selection.group(), selection.channel(), destination, written);
                return;
            }
            server.close();
            failed(selection, f.cause());
            Set<Destination> avoid = failed == null ? new HashSet<>() : failed;
            avoid.add(destination);
            if (!client.isActive()) {
                return;
            }
            attempt(client, origin, clientAddress, session,
                    settings.balancer().select(clientAddress, selection.group(), avoid), avoid);
        });
    }

    private void failed(Selection selection, Throwable cause) {
        Log log = settings.log();
        selection.destination().connects().failed(failure(cause));
        if (log.isDebug()) {
            String what = cause instanceof ConnectTimeoutException ? "timeout" : "connection refused";
            log.debug(what + " group " + selection.group() + " channel " + selection.channel() + ": " + cause.getMessage());
        }
        if (settings.autodisable() != null) {
            settings.autodisable().connectFailed(selection.group(), selection.channel(), selection.destination());
        }
    }

    /** Timeout, refused (ECONNREFUSED: Netty's native and the JDK's messages both say so), or anything else. */
    static ConnectStats.Failure failure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return ConnectStats.Failure.TIMEOUT;
        }
        String m = cause == null ? null : cause.getMessage();
        return m != null && m.contains("refused") ? ConnectStats.Failure.REFUSED : ConnectStats.Failure.OTHER;
    }
}
