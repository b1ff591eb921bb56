package org.balance.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.balance.balancing.Routing;
import org.balance.cli.ExitStatus;
import org.balance.health.HealthMonitor;
import org.balance.log.Log;
import org.balance.relay.Transport;

/**
 * The control socket of a running instance: a Unix domain socket server on the instance's own event loops,
 * placed by {@link ControlSocketFile}, one {@link ControlHandler} shell per connection. Commands run on a
 * small executor of their own, so name lookups and {@code kill} never hold up an I/O thread.
 *
 * <p>Defences: lines are at most {@link ControlProtocol#MAX_LINE} bytes; silent clients are closed; at most
 * {@link Settings#maxConnections()} connections at once (more are told so and closed); on epoll, a peer whose
 * uid is neither the socket owner's nor root's is refused even if the file permissions were loosened.
 */
public final class ControlServer {
    private final ControlSocketFile socketFile;
    private final Channel listener;
    private final EventExecutorGroup commands;
    private final CommandTable table;
    private final Routing routing;
    private final HealthMonitor health;
    private final Log log;
    private boolean closed;

    /**
     * @param maxConnections  control connections served at once
     * @param handshakeMillis how long a new connection may take to send its mode line
     * @param idleSeconds     how long an interactive shell may go without traffic either way
     */
    public record Settings(int maxConnections, long handshakeMillis, long idleSeconds) {
        /** The defaults; system properties {@code balance.control.*} override them (tests shorten the times). */
        public static Settings fromSystemProperties() {
            return new Settings(
                    Integer.getInteger("balance.control.maxConnections", 128),
                    Long.getLong("balance.control.handshakeMillis", 5_000),
                    Long.getLong("balance.control.idleSeconds", 3_600));
        }
    }

    private ControlServer(ControlSocketFile socketFile, Channel listener, EventExecutorGroup commands, CommandTable table,
                          Routing routing, HealthMonitor health, Log log) {
        this.socketFile = socketFile;
        this.log = log;
        this.listener = listener;
        this.commands = commands;
        this.table = table;
        this.routing = routing;
        this.health = health;
    }

    /**
     * Binds in a private directory beside {@code socketPath} and serves until {@link #close()}; nobody can
     * connect until {@link #publish()} moves the socket into place, which the instance does last, once it has
     * started completely: the socket's appearance tells scripts that it serves.
     */
    public static ControlServer start(Transport transport, EventLoopGroup group, Path socketPath, Routing routing,
                                      HealthMonitor health, Supplier<String> statusJson, Shutdown shutdown,
                                      Handover handover, Settings settings, Log log)
            throws IOException, ControlSocketFile.InUseException, InterruptedException {
        ControlSocketFile file = ControlSocketFile.prepare(socketPath);
        EventExecutorGroup commands = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("balance-control", true));
        Channel listener = null;
        try {
            CommandTable table = new CommandTable();
            long pid = ProcessHandle.current().pid();
            Initializer initializer = new Initializer(transport.isEpoll(), table, routing, health, statusJson, pid, shutdown,
                    handover, settings, commands, log);
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channelFactory(() -> serverChannel(transport))
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(4096).maxMessagesPerRead(1))
                    .childHandler(initializer);
            listener = b.bind(address(transport, file.bindPath())).sync().channel();
            initializer.ownerUid = file.ownerUid();
            return new ControlServer(file, listener, commands, table, routing, health, log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (listener != null) {
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            file.remove();
            commands.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Puts the socket in place (mode 0600, replacing a stale file): from now on, clients can connect. */
    public void publish() throws IOException {
        socketFile.publish();
        if (log.isDebug()) {
            log.debug("control socket " + socketFile.path());
        }
    }

    private static ServerChannel serverChannel(Transport transport) {
        return transport.isEpoll() ? new EpollServerDomainSocketChannel() : new NioServerDomainSocketChannel();
    }

    private static SocketAddress address(Transport transport, Path path) {
        return transport.isEpoll() ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }

    public Path socketPath() {
        return socketFile.path();
    }

    /**
     * Runs one command line in {@code group} on the command executor, as a shell would after {@code group N}, and
     * returns its answer: the dashboard's changes go through the very code of {@code enable}, {@code disable}
     * and {@code maxc}, with their logging and their effect on health checks.
     */
    public String run(int group, String line) throws Exception {
        return commands.submit(() -> {
            ControlSession session = new ControlSession(routing, health, ProcessHandle.current().pid(), () -> "");
            session.setCurrentGroup(group);
            return table.execute(line, session).output();
        }).get(10, TimeUnit.SECONDS);
    }

    /**
     * Stops accepting and removes the socket file if it is still ours. Connections already open go on until
     * the event loops stop. Returns true if both went well.
     */
    public synchronized boolean close() {
        if (closed) {
            return true;
        }
        closed = true;
        boolean ok = listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS) && !listener.isOpen();
        return socketFile.remove() && ok;
    }

    /**
     * Stops accepting, leaving the socket file where it is: a new instance taking over will rename its own over
     * it (so that the name never goes missing). Connections already open go on; {@link #close()} still applies.
     */
    public synchronized boolean stopListening() {
        return listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS) && !listener.isOpen();
    }

    /** After {@link #close()}: stops the command executor. */
    public void shutdownCommands() {
        commands.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /**
     * Drops read requests once the client has shut down its sending side: the shell asks for input from its
     * executor, and such a request may reach the I/O thread after the end of input, where epoll would fail it.
     */
    private static final class ReadGuard extends ChannelOutboundHandlerAdapter {
        @Override
        public void read(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive() && !((DuplexChannel) ctx.channel()).isInputShutdown()) {
                ctx.read();
            }
        }
    }

    /** Checks each new connection, then gives it a shell pipeline. */
    private static final class Initializer extends ChannelInitializer<Channel> {
        private final boolean epoll;
        private final CommandTable table;
        private final Routing routing;
        private final HealthMonitor health;
        private final Supplier<String> statusJson;
        private final long pid;
        private final Shutdown shutdown;
        private final Handover handover;
        private final Settings settings;
        private final EventExecutorGroup commands;
        private final Log log;
        private final AtomicInteger open = new AtomicInteger();
        /** Set once the socket is bound, before it is published. */
        volatile int ownerUid = -1;

        Initializer(boolean epoll, CommandTable table, Routing routing, HealthMonitor health, Supplier<String> statusJson,
                    long pid, Shutdown shutdown, Handover handover, Settings settings, EventExecutorGroup commands, Log log) {
            this.statusJson = statusJson;
            this.epoll = epoll;
            this.table = table;
            this.routing = routing;
            this.health = health;
            this.pid = pid;
            this.shutdown = shutdown;
            this.handover = handover;
            this.settings = settings;
            this.commands = commands;
            this.log = log;
        }

        @Override
        protected void initChannel(Channel ch) {
            if (epoll && !permitted((EpollDomainSocketChannel) ch)) {
                refuse(ch, "permission denied\n", 77);
                return;
            }
            if (open.incrementAndGet() > settings.maxConnections()) {
                open.decrementAndGet();
                refuse(ch, "too many control connections, try again later\n", ExitStatus.UNAVAILABLE);
                return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            // The end of a shell's input is a half-close, answered before closing. Set on the config itself:
            // the NIO domain socket channel does not take it as a channel option.
            ((DuplexChannelConfig) ch.config()).setAllowHalfClosure(true);
            ch.pipeline()
                    .addLast(new ReadGuard())
                    .addLast(new IdleStateHandler(0, 0, settings.idleSeconds(), TimeUnit.SECONDS))
                    .addLast(new LineDecoder(ControlProtocol.MAX_LINE))
                    .addLast(commands, "shell", new ControlHandler(table, new ControlSession(routing, health, pid, statusJson), shutdown,
                            handover, settings.handshakeMillis()));
        }

        private boolean permitted(EpollDomainSocketChannel ch) {
            try {
                int uid = ch.peerCredentials().uid();
                if (uid == 0 || uid == ownerUid) {
                    return true;
                }
                log.notice("control connection from uid " + uid + " refused");
                return false;
            } catch (IOException e) {
                return false;
            }
        }

        private static void refuse(Channel ch, String message, int status) {
            String text = message + (char) ControlProtocol.END + status;
            ByteBuf buf = ch.alloc().buffer(text.length());
            buf.writeCharSequence(text, ControlProtocol.CHARSET);
            ch.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
