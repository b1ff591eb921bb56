package org.balance.relay;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.util.Map;

/**
 * The options of a {@link RelaySocketChannel}: the standard socket options, read from and written to the socket
 * when asked (as Netty's {@code EpollSocketChannelConfig} does), plus any {@code IntegerUnixChannelOption} or
 * {@code RawUnixChannelOption} ({@code EpollChannelConfig} handles those).
 *
 * <p>What Netty's config does and this one does not: in its constructor, set TCP_NODELAY and read SO_SNDBUF, two
 * system calls per socket (see {@link RelaySocketChannel} for why neither is needed), and hand a close with a
 * linger time above 0 to another thread. The relay only ever sets SO_LINGER to 0 (a reset); a linger time above 0
 * is refused here, as it would block the event loop in close(2).
 */
final class RelaySocketConfig extends EpollChannelConfig implements SocketChannelConfig {
    private volatile boolean allowHalfClosure;

    RelaySocketConfig(RelaySocketChannel channel) {
        super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF,
                ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE, ChannelOption.SO_REUSEADDR,
                ChannelOption.SO_LINGER, ChannelOption.IP_TOS, ChannelOption.ALLOW_HALF_CLOSURE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == ChannelOption.TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == ChannelOption.SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == ChannelOption.SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == ChannelOption.SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == ChannelOption.IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == ChannelOption.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == ChannelOption.TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == ChannelOption.SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == ChannelOption.SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == ChannelOption.SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == ChannelOption.IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** A socket call that throws IOException, as Netty's configs do: a ChannelException. */
    private interface SocketCall<T> {
        T run() throws IOException;
    }

    private static <T> T call(SocketCall<T> c) {
        try {
            return c.run();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    private RelaySocketConfig set(SocketCall<?> c) {
        call(c);
        return this;
    }

    @Override
    public boolean isTcpNoDelay() {
        return call(() -> socket().isTcpNoDelay());
    }

    @Override
    public RelaySocketConfig setTcpNoDelay(boolean on) {
        return set(() -> {
            socket().setTcpNoDelay(on);
            return null;
        });
    }

    @Override
    public int getSoLinger() {
        return call(() -> socket().getSoLinger());
    }

    /** 0 (close with a reset) or below (the default close); a linger time above 0 is refused, see the class comment. */
    @Override
    public RelaySocketConfig setSoLinger(int soLinger) {
        if (soLinger > 0) {
            throw new IllegalArgumentException("SO_LINGER above 0 would block the event loop in close: " + soLinger);
        }
        return set(() -> {
            socket().setSoLinger(soLinger);
            return null;
        });
    }

    @Override
    public int getSendBufferSize() {
        return call(() -> socket().getSendBufferSize());
    }

    @Override
    public RelaySocketConfig setSendBufferSize(int size) {
        return set(() -> {
            socket().setSendBufferSize(size);
            return null;
        });
    }

    @Override
    public int getReceiveBufferSize() {
        return call(() -> socket().getReceiveBufferSize());
    }

    @Override
    public RelaySocketConfig setReceiveBufferSize(int size) {
        return set(() -> {
            socket().setReceiveBufferSize(size);
            return null;
        });
    }

    @Override
    public boolean isKeepAlive() {
        return call(() -> socket().isKeepAlive());
    }

    @Override
    public RelaySocketConfig setKeepAlive(boolean on) {
        return set(() -> {
            socket().setKeepAlive(on);
            return null;
        });
    }

    @Override
    public int getTrafficClass() {
        return call(() -> socket().getTrafficClass());
    }

    @Override
    public RelaySocketConfig setTrafficClass(int trafficClass) {
        return set(() -> {
            socket().setTrafficClass(trafficClass);
            return null;
        });
    }

    @Override
    public boolean isReuseAddress() {
        return call(() -> socket().isReuseAddress());
    }

    @Override
    public RelaySocketConfig setReuseAddress(boolean on) {
        return set(() -> {
            socket().setReuseAddress(on);
            return null;
        });
    }

    @Override
    public RelaySocketConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public RelaySocketConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    public RelaySocketConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public RelaySocketConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public RelaySocketConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public RelaySocketConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public RelaySocketConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public RelaySocketConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public RelaySocketConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public RelaySocketConfig setWriteBufferHighWaterMark(int mark) {
        super.setWriteBufferHighWaterMark(mark);
        return this;
    }

    @Override
    @Deprecated
    public RelaySocketConfig setWriteBufferLowWaterMark(int mark) {
        super.setWriteBufferLowWaterMark(mark);
        return this;
    }

    @Override
    public RelaySocketConfig setWriteBufferWaterMark(WriteBufferWaterMark mark) {
        super.setWriteBufferWaterMark(mark);
        return this;
    }

    @Override
    public RelaySocketConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}
