package org.balance.proxyprotocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.balance.balancing.ClientAddress;
import org.balance.log.Log;
import org.balance.proxyprotocol.ProxyProtocolConfig.Version;
import org.balance.relay.Origin;
import org.balance.relay.SessionCounters;
import org.balance.relay.SessionPolicy;

/**
 * The PROXY protocol (HAProxy's proxy-protocol.txt) before the relay, with Netty's codec:
 * <ul>
 *   <li>{@code --accept-proxy}: a client's connection must begin with a v1 or v2 header within
 *       {@link HeaderReader#TIMEOUT_MILLIS}; its source and destination become the session's {@link Origin}, and only
 *       then is a channel chosen. A LOCAL (v2) or UNKNOWN header stands for the connection itself.</li>
 *   <li>{@code --send-proxy} / {@code --send-proxy-v2}: the header for the session's origin is the first thing written
 *       to the server, before any relayed byte, for the channels whose scope asks for one.</li>
 * </ul>
 * Only built when one of those options is given: without them the codec's classes are never loaded.
 */
public final class ProxyProtocolPolicy implements SessionPolicy {
    private static final byte[] V1_UNKNOWN = "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    private final ProxyProtocolConfig config;
    private final Log log;
    private final SessionCounters sessions;

    private ProxyProtocolPolicy(ProxyProtocolConfig config, Log log, SessionCounters sessions) {
        this.config = config;
        this.log = log;
        this.sessions = sessions;
    }

    /** The policy for {@code config}: {@link SessionPolicy#NONE} when it asks for nothing. */
    public static SessionPolicy of(ProxyProtocolConfig config, Log log, SessionCounters sessions) {
        return config.isNone() ? NONE : new ProxyProtocolPolicy(config, log, sessions);
    }

    @Override
    public boolean admit(ChannelPipeline client) {
        if (!config.accept()) {
            return false;
        }
        client.addLast(new HAProxyMessageDecoder(), new HeaderReader(log, sessions));
        return true;
    }

    @Override
    public boolean beforeRelay(Channel server, int group, int channel, Origin origin) {
        Version version = config.version(group, channel);
        if (version == Version.OFF) {
            return false;
        }
        HAProxyMessage header = header(version, origin);
        if (header.proxiedProtocol() == HAProxyProxiedProtocol.UNKNOWN && version == Version.V1) {
            // Netty's encoder writes v1's UNKNOWN with its (absent) addresses: the line stands alone here.
            server.write(Unpooled.copiedBuffer(V1_UNKNOWN), server.voidPromise());
            return true;
        }
        ChannelPipeline p = server.pipeline();
        p.addFirst(HAProxyMessageEncoder.INSTANCE);
        try {
            server.write(header, server.voidPromise());
        } finally {
            p.remove(HAProxyMessageEncoder.INSTANCE);
        }
        return true;
    }

    /**
     * The header that tells a server about {@code origin}: TCP4 if both addresses are IPv4, else TCP6 (an IPv4
     * address then written IPv4-mapped); UNKNOWN (v1) or LOCAL (v2) if the origin has no IP addresses.
     */
    static HAProxyMessage header(Version version, Origin origin) {
        HAProxyProtocolVersion v = version == Version.V2 ? HAProxyProtocolVersion.V2 : HAProxyProtocolVersion.V1;
        InetSocketAddress src = origin.source();
        InetSocketAddress dst = origin.destination();
        if (src == null || dst == null || src.getAddress() == null || dst.getAddress() == null) {
            return new HAProxyMessage(v, v == HAProxyProtocolVersion.V2 ? HAProxyCommand.LOCAL : HAProxyCommand.PROXY,
                    HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        InetAddress s = unmapped(src.getAddress());
        InetAddress d = unmapped(dst.getAddress());
        boolean ipv4 = s instanceof Inet4Address && d instanceof Inet4Address;
        return new HAProxyMessage(v, HAProxyCommand.PROXY, ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(s, ipv4), text(d, ipv4), src.getPort(), dst.getPort());
    }

    /** {@code ::ffff:a.b.c.d} as the IPv4 address it is. */
    private static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] folded = ClientAddress.fold(a.getAddress());
            if (folded.length == 4) {
                try {
                    return InetAddress.getByAddress(folded);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    /** The address as the header writes it: dotted quad, or RFC 5952 IPv6 (IPv4 as {@code ::ffff:a.b.c.d}) without scope. */
    private static String text(InetAddress a, boolean ipv4) {
        if (ipv4 || a instanceof Inet6Address) {
            return NetUtil.toAddressString(a);
        }
        return "::ffff:" + NetUtil.toAddressString(a);
    }
}
