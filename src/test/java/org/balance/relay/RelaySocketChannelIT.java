package org.balance.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.balance.support.Net;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoll channels of the relay ({@link RelaySocketChannel}, {@link RelayServerSocketChannel}) answer what Netty's
 * own would, although they ask the kernel less: addresses, TCP_NODELAY on both sides of a session (the accepted one
 * inherits it from the listener, also from one taken over by descriptor), and connect failures that name the server.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RelaySocketChannelIT {
    private final Transport epoll = Transport.named("epoll");
    private EventLoopGroup loops;

    @BeforeEach
    void start() {
        assumeTrue(epoll.isEpoll(), "epoll only");
        loops = epoll.newGroup(1, new DefaultThreadFactory("test-relay-channel"));
    }

    @AfterEach
    void stop() {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Binds a listener of ours on loopback; the channels it accepts go to {@code accepted}. */
    private Channel listen(ServerChannel listener, CompletableFuture<SocketChannel> accepted) throws Exception {
        ServerBootstrap b = new ServerBootstrap().group(loops).channelFactory(() -> listener)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.complete(ch);
                    }
                });
        return listener.isActive() ? b.register().sync().channel() : b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Test
    void anAcceptedSocketKnowsBothAddressesAndHasNoDelay() throws Exception {
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        Channel listener = listen(epoll.newServerChannel(false), accepted);
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        try (Socket client = Net.connect(port)) {
            SocketChannel ch = accepted.get(5, TimeUnit.SECONDS);
            assertTrue(ch instanceof RelaySocketChannel);
            assertSame(listener, ch.parent());
            assertEquals(new InetSocketAddress("127.0.0.1", client.getLocalPort()), ch.remoteAddress());
            assertEquals(new InetSocketAddress("127.0.0.1", port), ch.localAddress());
            assertEquals(new InetSocketAddress("127.0.0.1", port), Origin.of(ch).destination());
            assertTrue(ch.config().isTcpNoDelay(), "TCP_NODELAY copied from the listener");
            assertThrows(IllegalArgumentException.class, () -> ch.config().setOption(ChannelOption.SO_LINGER, 5));
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void aClosedSocketAsksTheKernelNothing() throws Exception {
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        Channel listener = listen(epoll.newServerChannel(false), accepted);
        try (Socket client = Net.connect(((InetSocketAddress) listener.localAddress()).getPort())) {
            SocketChannel ch = accepted.get(5, TimeUnit.SECONDS);
            ch.close().sync();
            // its descriptor's number may be another socket's by now
            assertNull(ch.localAddress(), "the local address of a closed socket that was never asked for it");
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void aListenerTakenOverByDescriptorGivesItsSocketsNoDelay() throws Exception {
        // a listening socket made elsewhere, without TCP_NODELAY, as an older instance's would be
        io.netty.channel.unix.Socket made = io.netty.channel.epoll.LinuxSocket.newSocketStream(false);
        made.bind(new InetSocketAddress("127.0.0.1", 0));
        made.listen(16);
        int port = made.localAddress().getPort();
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        Channel listener = listen(Transport.adoptServerChannel(made.intValue()), accepted);
        try (Socket client = Net.connect(port)) {
            assertTrue(accepted.get(5, TimeUnit.SECONDS).config().isTcpNoDelay());
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void aListenerWithoutAFamilyIsDualStack() throws Exception {
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        ServerChannel dual = epoll.newServerChannel(false);
        Channel listener = new ServerBootstrap().group(loops).channelFactory(() -> dual)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.complete(ch);
                    }
                }).bind(new InetSocketAddress(0)).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        try (Socket v6 = Net.connect("::1", port); Socket v4 = Net.connect("127.0.0.1", port)) {
            assertEquals(v6.getLocalPort(), accepted.get(5, TimeUnit.SECONDS).remoteAddress().getPort());
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void anOutgoingSocketKnowsTheServerAndHasNoDelay() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 16, java.net.InetAddress.getByName("127.0.0.1"))) {
            SocketChannel ch = epoll.newSocketChannel(false);
            ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter());
            loops.register(ch).sync();
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.getLocalPort());
            Transport.connect(ch, target, null).sync();
            try (Socket peer = server.accept()) {
                assertEquals(target, ch.remoteAddress());
                assertEquals(new InetSocketAddress("127.0.0.1", peer.getPort()), ch.localAddress());
                assertTrue(ch.config().isTcpNoDelay());
            } finally {
                ch.close().sync();
            }
        }
    }

    @Test
    void aRefusedConnectNamesTheServerAndSaysRefused() throws Exception {
        int port = Net.freePort();
        SocketChannel ch = epoll.newSocketChannel(false);
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter());
        loops.register(ch).sync();
        ChannelFuture f = Transport.connect(ch, new InetSocketAddress("127.0.0.1", port), null).await();
        assertFalse(f.isSuccess());
        assertTrue(f.cause().getMessage().contains("/127.0.0.1:" + port), f.cause().getMessage());
        assertEquals(org.balance.balancing.ConnectStats.Failure.REFUSED, Connector.failure(f.cause()));
        // Netty fails the connect's promise first and closes the channel right after, on the event loop
        assertTrue(ch.closeFuture().await(5, java.util.concurrent.TimeUnit.SECONDS), "closed after the refusal");
        assertFalse(ch.isOpen());
    }
}
