package org.balance.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.balance.health.CheckSpec.Scope;
import org.balance.log.StderrLog;
import org.balance.proxyprotocol.ProxyProtocolConfig.Send;
import org.balance.proxyprotocol.ProxyProtocolConfig.Version;
import org.balance.relay.Origin;
import org.balance.relay.SessionCounters;
import org.balance.relay.SessionPolicy;
import org.junit.jupiter.api.Test;

/** The PROXY header written to a server ({@code --send-proxy}) and read from a client ({@code --accept-proxy}), with EmbeddedChannel. */
class ProxyHeaderTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final StderrLog log = new StderrLog(new PrintStream(logged, true, StandardCharsets.UTF_8), false);
    private final SessionCounters sessions = new SessionCounters();

    private static InetSocketAddress at(String address, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    private SessionPolicy policy(List<Send> sends, boolean accept) throws Exception {
        return ProxyProtocolPolicy.of(ProxyProtocolConfig.of(sends, accept), log, sessions);
    }

    // ---- --send-proxy

    @Test
    void v1HeaderIsWrittenFirstAndTheEncoderLeavesThePipeline() throws Exception {
        SessionPolicy p = policy(List.of(new Send(Scope.INSTANCE, Version.V1)), false);
        EmbeddedChannel server = new EmbeddedChannel();
        int handlers = server.pipeline().names().size();
        Origin origin = new Origin(at("192.0.2.1", 56324), at("198.51.100.2", 80));
        assertTrue(p.beforeRelay(server, 0, 0, origin));
        server.writeOutbound(Unpooled.copiedBuffer("GET /", StandardCharsets.US_ASCII));
        assertEquals("PROXY TCP4 192.0.2.1 198.51.100.2 56324 80\r\n", text(server.readOutbound()));
        assertEquals("GET /", text(server.readOutbound()));
        assertEquals(handlers, server.pipeline().names().size());
        assertFalse(server.finish());
    }

    @Test
    void ipv6AndMixedFamiliesGoAsTcp6AndMappedIpv4AsTcp4() throws Exception {
        assertEquals("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n",
                v1(new Origin(at("2001:db8:0:0:0:0:0:1", 1234), at("2001:db8::2", 443))));
        assertEquals("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 1234 443\r\n",
                v1(new Origin(at("192.0.2.1", 1234), at("2001:db8::2", 443))));
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 9}), 7);
        assertEquals("PROXY TCP4 192.0.2.9 198.51.100.2 7 80\r\n", v1(new Origin(mapped, at("198.51.100.2", 80))));
        assertEquals("PROXY UNKNOWN\r\n", v1(new Origin(null, null)));
    }

    private String v1(Origin origin) throws Exception {
        EmbeddedChannel server = new EmbeddedChannel();
        policy(List.of(new Send(Scope.INSTANCE, Version.V1)), false).beforeRelay(server, 0, 0, origin);
        server.flush();
        return text(server.readOutbound());
    }

    @Test
    void v2HeaderIsBinaryAndDecodesBackToTheOrigin() throws Exception {
        SessionPolicy p = policy(List.of(new Send(new Scope(1, -1), Version.V2)), false);
        EmbeddedChannel server = new EmbeddedChannel();
        Origin origin = new Origin(at("192.0.2.1", 56324), at("198.51.100.2", 80));
        assertFalse(p.beforeRelay(server, 0, 0, origin), "group 0 sends none");
        assertTrue(p.beforeRelay(server, 1, 0, origin));
        server.flush();
        ByteBuf header = server.readOutbound();
        assertEquals(16 + 12, header.readableBytes());
        assertEquals(0x21, header.getUnsignedByte(12)); // version 2, PROXY
        assertEquals(0x11, header.getUnsignedByte(13)); // TCP over IPv4
        EmbeddedChannel decode = new EmbeddedChannel(new HAProxyMessageDecoder());
        decode.writeInbound(header);
        HAProxyMessage m = decode.readInbound();
        assertEquals("192.0.2.1", m.sourceAddress());
        assertEquals(56324, m.sourcePort());
        assertEquals("198.51.100.2", m.destinationAddress());
        assertEquals(80, m.destinationPort());
        m.release();
    }

    @Test
    void withoutOptionsThereIsNoPolicy() throws Exception {
        assertSame(SessionPolicy.NONE, policy(List.of(), false));
        EmbeddedChannel server = new EmbeddedChannel();
        assertFalse(SessionPolicy.NONE.beforeRelay(server, 0, 0, new Origin(null, null)));
        assertFalse(SessionPolicy.NONE.admit(server.pipeline()));
    }

    // ---- --accept-proxy

    /** The client side as ProxyServer builds it: the policy's handlers, then what the relay would be (here: a recorder). */
    private final class Client {
        final List<Object> events = new ArrayList<>();
        final List<String> reads = new ArrayList<>();
        final EmbeddedChannel ch;

        Client(long timeoutMillis) throws Exception {
            ch = new EmbeddedChannel(false, false);
            ch.config().setAutoRead(false);
            ch.pipeline().addLast(new HAProxyMessageDecoder(), new HeaderReader(log, sessions, timeoutMillis),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            reads.add(text((ByteBuf) msg));
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            events.add(evt);
                        }
                    });
            ch.register();
        }

        void send(String s) {
            ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
        }

        void send(ByteBuf b) {
            ch.writeInbound(b);
        }
    }

    @Test
    void admitPutsTheDecoderFirstAndSaysTheSessionWaits() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertTrue(policy(List.of(), true).admit(ch.pipeline()));
        assertTrue(ch.pipeline().first() instanceof HAProxyMessageDecoder);
        assertFalse(policy(List.of(new Send(Scope.INSTANCE, Version.V1)), false).admit(new EmbeddedChannel().pipeline()));
    }

    @Test
    void v1HeaderGivesTheOriginAndTheRestGoesOnAsClientBytes() throws Exception {
        Client c = new Client(3000);
        c.send("PROXY TCP4 192.0.2.1 198.51.100.2 56324 8");
        assertTrue(c.events.isEmpty(), "half a header: wait");
        c.send("0\r\nGET / HTTP/1.0\r\n");
        assertEquals(List.of(new Origin(at("192.0.2.1", 56324), at("198.51.100.2", 80))), c.events);
        assertEquals(List.of("GET / HTTP/1.0\r\n"), c.reads);
        assertFalse(c.ch.pipeline().names().stream().anyMatch(n -> n.contains("HeaderReader") || n.contains("Decoder")));
        c.send("more");
        assertEquals(List.of("GET / HTTP/1.0\r\n", "more"), c.reads);
        assertTrue(c.ch.isOpen());
        assertEquals(0, sessions.headerRejectedCount());
        c.ch.advanceTimeBy(5, TimeUnit.SECONDS);
        c.ch.runScheduledPendingTasks();
        assertTrue(c.ch.isOpen(), "the timer is gone with the header");
    }

    @Test
    void v2HeaderIncludingIpv6GivesTheOrigin() throws Exception {
        Client c = new Client(3000);
        EmbeddedChannel enc = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        enc.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP6,
                "2001:db8::1", "2001:db8::2", 40000, 443));
        ByteBuf header = enc.readOutbound();
        c.send(Unpooled.wrappedBuffer(header, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));
        assertEquals(List.of(new Origin(at("2001:db8::1", 40000), at("2001:db8::2", 443))), c.events);
        assertEquals(List.of("hello"), c.reads);
    }

    @Test
    void localAndUnknownStandForTheConnectionItself() throws Exception {
        Client local = new Client(3000);
        EmbeddedChannel enc = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        enc.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
                null, null, 0, 0));
        local.send((ByteBuf) enc.readOutbound());
        assertEquals(List.of(Origin.of(local.ch)), local.events);
        Client unknown = new Client(3000);
        unknown.send("PROXY UNKNOWN\r\n");
        assertEquals(List.of(Origin.of(unknown.ch)), unknown.events);
        assertEquals(0, sessions.headerRejectedCount());
    }

    @Test
    void invalidHeaderIsClosedCountedAndLogged() throws Exception {
        Client c = new Client(3000);
        c.send("GET / HTTP/1.0\r\nHost: x\r\n\r\n");
        assertFalse(c.ch.isOpen());
        assertTrue(c.events.isEmpty());
        assertTrue(c.reads.isEmpty());
        assertEquals(1, sessions.headerRejectedCount());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("invalid PROXY header"), logged.toString());
    }

    @Test
    void noHeaderWithinTheTimeoutIsClosedCountedAndLogged() throws Exception {
        Client c = new Client(3000);
        c.send("PROXY TCP4");
        c.ch.advanceTimeBy(2900, TimeUnit.MILLISECONDS);
        c.ch.runScheduledPendingTasks();
        assertTrue(c.ch.isOpen());
        c.ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        c.ch.runScheduledPendingTasks();
        assertFalse(c.ch.isOpen());
        assertTrue(c.events.isEmpty());
        assertEquals(1, sessions.headerRejectedCount());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("no PROXY header within 3000 ms; closed"), logged.toString());
    }

    @Test
    void endBeforeTheHeaderIsClosedAndCounted() throws Exception {
        Client c = new Client(3000);
        c.send("PROXY TCP4 1.2.3.4");
        c.ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertFalse(c.ch.isOpen());
        assertTrue(c.events.isEmpty());
        assertEquals(1, sessions.headerRejectedCount());
        assertNull(c.ch.readInbound());
    }
}
