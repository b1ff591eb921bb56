package org.balance.log;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Background logging to the local syslog socket ({@code /dev/log}, which journald also serves), facility
 * daemon, in the classic {@code <PRI>Mmm dd hh:mm:ss balance[PID]: message} form. Needs the epoll transport;
 * messages that cannot be delivered are dropped, never blocking the proxy.
 */
public final class SyslogLog implements Log {
    private static final int DAEMON = 3 << 3;
    private static final int ERR = 3;
    private static final int NOTICE = 5;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    private final Channel channel;
    private final DomainSocketAddress target;
    private final String tag;

    private SyslogLog(Channel channel, DomainSocketAddress target, String tag) {
        this.channel = channel;
        this.target = target;
        this.tag = tag;
    }

    /** Opens an unconnected datagram socket on {@code group}; the socket path is usually {@code /dev/log}. */
    public static SyslogLog open(EventLoopGroup group, String socketPath) throws InterruptedException {
        Channel ch = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .handler(new ChannelInboundHandlerAdapter())
                .register().sync().channel();
        return new SyslogLog(ch, new DomainSocketAddress(socketPath), "balance[" + ProcessHandle.current().pid() + "]");
    }

    @Override
    public boolean isDebug() {
        return false;
    }

    @Override
    public void debug(String message) {
    }

    @Override
    public void notice(String message) {
        send(NOTICE, message);
    }

    @Override
    public void error(String message) {
        send(ERR, message);
    }

    private void send(int severity, String message) {
        String line = "<" + (DAEMON | severity) + ">" + STAMP.format(LocalDateTime.now()) + " " + tag + ": " + message;
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        channel.writeAndFlush(new DomainDatagramPacket(Unpooled.wrappedBuffer(bytes), target));
    }

    public void close() {
        channel.close();
    }
}
