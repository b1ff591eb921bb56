package org.balance.relay;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.AbstractEpollServerChannel;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * A listening TCP socket on the epoll transport whose accepted sockets are {@link RelaySocketChannel}s: Netty's
 * {@code EpollServerSocketChannel} makes its own {@code EpollSocketChannel} for each, and cannot be told to make
 * another kind.
 *
 * <p>It also sets TCP_NODELAY once on the listening socket, bound or taken over: Linux copies it to every socket the
 * listener accepts, where Netty sets it on each (one {@code setsockopt} per session saved; measured with
 * {@code scripts/syscalls-per-session}). SO_REUSEADDR, the backlog and any {@code IntegerUnixChannelOption} work
 * as on Netty's listener.
 */
final class RelayServerSocketChannel extends AbstractEpollServerChannel implements ServerSocketChannel {
    private final Config config;

    /** A new listening socket (not bound yet): IPv6 if {@code ipv6}, else of Netty's preferred family (dual-stack). */
    RelayServerSocketChannel(boolean ipv6) {
        super(ipv6 ? LinuxSocket.newSocketStream(SocketProtocolFamily.INET6) : LinuxSocket.newSocketStream(), false);
        config = new Config(this);
        noDelayForAccepted();
    }

    /** A listening socket taken over from another process: open, bound and listening already. */
    RelayServerSocketChannel(int fd) {
        super(LinuxSocket.newSocket(fd));
        config = new Config(this);
        noDelayForAccepted();
    }

    private void noDelayForAccepted() {
        try {
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        super.doBind(local);
        socket.listen(config.getBacklog());
        active = true;
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        return new RelaySocketChannel(this, fd, NativeInetAddress.address(address, offset, len));
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    /** The listener's options: SO_REUSEADDR, SO_RCVBUF and the backlog as Netty's have them; Unix options from epoll's. */
    static final class Config extends EpollChannelConfig implements ServerSocketChannelConfig {
        private volatile int backlog = NetUtil.SOMAXCONN;

        Config(RelayServerSocketChannel channel) {
            super(channel);
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), ChannelOption.SO_RCVBUF, ChannelOption.SO_REUSEADDR,
                    ChannelOption.SO_BACKLOG);
        }

        @SuppressWarnings("unchecked")
        @Override
        public <T> T getOption(ChannelOption<T> option) {
            if (option == ChannelOption.SO_RCVBUF) {
                return (T) Integer.valueOf(getReceiveBufferSize());
            }
            if (option == ChannelOption.SO_REUSEADDR) {
                return (T) Boolean.valueOf(isReuseAddress());
            }
            if (option == ChannelOption.SO_BACKLOG) {
                return (T) Integer.valueOf(getBacklog());
            }
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            validate(option, value);
            if (option == ChannelOption.SO_RCVBUF) {
                setReceiveBufferSize((Integer) value);
            } else if (option == ChannelOption.SO_REUSEADDR) {
                setReuseAddress((Boolean) value);
            } else if (option == ChannelOption.SO_BACKLOG) {
                setBacklog((Integer) value);
            } else {
                return super.setOption(option, value);
            }
            return true;
        }

        @Override
        public int getBacklog() {
            return backlog;
        }

        @Override
        public Config setBacklog(int backlog) {
            if (backlog < 0) {
                throw new IllegalArgumentException("backlog: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        @Override
        public boolean isReuseAddress() {
            try {
                return socket().isReuseAddress();
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }

        @Override
        public Config setReuseAddress(boolean on) {
            try {
                socket().setReuseAddress(on);
                return this;
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }

        @Override
        public int getReceiveBufferSize() {
            try {
                return socket().getReceiveBufferSize();
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }

        @Override
        public Config setReceiveBufferSize(int size) {
            try {
                socket().setReceiveBufferSize(size);
                return this;
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }

        @Override
        public Config setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
            return this;
        }

        @Override
        public Config setConnectTimeoutMillis(int connectTimeoutMillis) {
            super.setConnectTimeoutMillis(connectTimeoutMillis);
            return this;
        }

        @Override
        @Deprecated
        public Config setMaxMessagesPerRead(int maxMessagesPerRead) {
            super.setMaxMessagesPerRead(maxMessagesPerRead);
            return this;
        }

        @Override
        public Config setWriteSpinCount(int writeSpinCount) {
            super.setWriteSpinCount(writeSpinCount);
            return this;
        }

        @Override
        public Config setAllocator(ByteBufAllocator allocator) {
            super.setAllocator(allocator);
            return this;
        }

        @Override
        public Config setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
            super.setRecvByteBufAllocator(allocator);
            return this;
        }

        @Override
        public Config setAutoRead(boolean autoRead) {
            super.setAutoRead(autoRead);
            return this;
        }

        @Override
        @Deprecated
        public Config setWriteBufferHighWaterMark(int mark) {
            super.setWriteBufferHighWaterMark(mark);
            return this;
        }

        @Override
        @Deprecated
        public Config setWriteBufferLowWaterMark(int mark) {
            super.setWriteBufferLowWaterMark(mark);
            return this;
        }

        @Override
        public Config setWriteBufferWaterMark(WriteBufferWaterMark mark) {
            super.setWriteBufferWaterMark(mark);
            return this;
        }

        @Override
        public Config setMessageSizeEstimator(MessageSizeEstimator estimator) {
            super.setMessageSizeEstimator(estimator);
            return this;
        }
    }
}
