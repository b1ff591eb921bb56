package org.balance.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.UnresolvedAddressException;

/**
 * One TCP socket of a session on the epoll transport, accepted or outgoing: Netty's {@code EpollSocketChannel}
 * without the system calls a relay does not need.
 *
 * <p>What Netty's channel does per socket, and what this one does instead (strace of short sessions, counted by
 * {@code scripts/syscalls-per-session}):
 * <ul>
 *   <li>Accepted: Netty asks the kernel for the local address at once ({@code getsockname}); here it is asked for
 *       when somebody wants it (the PROXY header of {@code --send-proxy}, the session log). Netty sets TCP_NODELAY
 *       ({@code setsockopt}); here the listener has it, and Linux copies it to every socket it accepts
 *       ({@link RelayServerSocketChannel}).</li>
 *   <li>Outgoing: Netty asks for the local address after {@code connect} ({@code getsockname}) and for the peer's
 *       once connected ({@code getpeername}); the peer is the address it was asked to connect to, and the local
 *       address is asked for when wanted. The connect goes through {@link #connectTo}, whose address is not an
 *       {@code InetSocketAddress} to Netty: that is what keeps Netty from asking for the peer.</li>
 *   <li>Both: Netty reads SO_SNDBUF ({@code getsockopt}) to size its gathering writes, which it adapts to what the
 *       kernel takes anyway; here they start unbounded (Netty's own default for its other channels). Netty reads
 *       SO_LINGER before every close ({@code getsockopt}) to hand a lingering close to another thread; the relay
 *       never sets a linger time above 0 (a refused client's reset sets 0), so here nothing is asked. Netty removes
 *       the socket from epoll before closing it ({@code epoll_ctl DEL}); here the socket is closed first, and the
 *       kernel drops a closed socket from epoll by itself.</li>
 * </ul>
 * Together 10 system calls fewer per session (35.1 to 25.2), without native code: what remains per socket is
 * Netty's {@code getsockname} in every {@code unix.Socket} constructor (it finds the address family), which no
 * public constructor avoids.
 */
final class RelaySocketChannel extends AbstractEpollStreamChannel implements SocketChannel {
    private final RelaySocketConfig config;
    private final Channel parent;
    /** The peer: from accept, or the address connected to once that is known to be the peer. */
    private volatile InetSocketAddress remote;
    /** The address of the connect made, the peer once the channel is active. */
    private volatile InetSocketAddress connectingTo;
    /** Asked of the kernel when first wanted. */
    private volatile InetSocketAddress local;

    /** An accepted socket: {@code fd} from accept(2), {@code remote} the address accept gave. */
    RelaySocketChannel(Channel parent, int fd, InetSocketAddress remote) {
        super(LinuxSocket.newSocket(fd), false);
        this.parent = parent;
        this.remote = remote;
        this.active = true;
        this.config = new RelaySocketConfig(this);
    }

    /** A new outgoing socket of the given family, with TCP_NODELAY. */
    RelaySocketChannel(SocketProtocolFamily family) {
        super(LinuxSocket.newSocketStream(family), false);
        this.parent = null;
        this.config = new RelaySocketConfig(this);
        config.setTcpNoDelay(true);
    }

    /**
     * Connects to {@code remote} (from {@code local} if not null) without the {@code getpeername} Netty makes once
     * connected: see the class comment.
     */
    ChannelFuture connectTo(InetSocketAddress remote, InetSocketAddress local) {
        return local == null ? connect(new Target(remote)) : connect(new Target(remote), local);
    }

    /** An address Netty does not take for an {@code InetSocketAddress}; it prints as the one it wraps. */
    private static final class Target extends SocketAddress {
        private static final long serialVersionUID = 1L;
        private final InetSocketAddress address;

        Target(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        InetSocketAddress to = remoteAddress instanceof Target t ? t.address : (InetSocketAddress) remoteAddress;
        if (to.isUnresolved() || localAddress instanceof InetSocketAddress l && l.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (remote != null || connectingTo != null) {
            throw new AlreadyConnectedException();
        }
        boolean done = false;
        try {
            if (localAddress != null) {
                socket.bind(localAddress);
            }
            boolean connected = socket.connect(to);
            connectingTo = to;
            if (!connected) {
                setFlag(EpollIoOps.EPOLLOUT.value());
            }
            done = true;
            return connected;
        } finally {
            if (!done) {
                doClose();
            }
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        InetSocketAddress r = remote;
        if (r == null && isActive()) {
            r = connectingTo;
            remote = r;
        }
        return r;
    }

    @Override
    protected SocketAddress localAddress0() {
        InetSocketAddress l = local;
        if (l == null && socket.isOpen()) {
            l = socket.localAddress();
            local = l;
        }
        return l;
    }

    @Override
    protected void doClose() throws Exception {
        // Closed before Netty forgets its registration: then there is nothing to remove from epoll.
        try {
            socket.close();
        } finally {
            super.doClose();
        }
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) parent;
    }

    @Override
    public RelaySocketConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }
}
