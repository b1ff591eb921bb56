package org.balance.discovery;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.resolver.HostsFileEntriesProvider;
import io.netty.resolver.dns.DnsCache;
import io.netty.resolver.dns.DnsCacheEntry;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Names through Netty's asynchronous DNS resolver ({@code netty-resolver-dns}): the servers of /etc/resolv.conf, or
 * the one {@code --dns} names. The hosts file comes first, as for the system's resolver, and is read again on every
 * lookup (an edited /etc/hosts counts). Nothing is cached: every lookup asks the server, and the records' TTLs are
 * kept only to tell the watcher when to ask again. Loaded only with {@code --resolve} or {@code --dns}.
 */
public final class DnsLookup implements NameLookup {
    /** How long one query waits for the server. */
    private static final long QUERY_TIMEOUT_MILLIS = 2000;

    private final DnsNameResolver resolver;
    private final TtlRecorder ttls = new TtlRecorder();
    /** The event loop of a start-up lookup, its own; null on the relay's. */
    private final EventLoopGroup ownLoop;

    private DnsLookup(EventLoop loop, Supplier<DatagramChannel> channels, InetSocketAddress server, EventLoopGroup ownLoop) {
        this.ownLoop = ownLoop;
        DnsServerAddressStreamProvider servers = server == null
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SingletonDnsServerAddressStreamProvider(server);
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelFactory(channels::get)
                .nameServerProvider(servers)
                .resolveCache(ttls)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .hostsFileEntriesResolver((host, types) -> null) // read here, fresh each time
                .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS)
                .build();
    }

    /** For {@code --resolve}: queries go out from {@code loop}, one of the relay's, on UDP channels of its transport. */
    public static NameLookup on(EventLoop loop, Supplier<DatagramChannel> channels, InetSocketAddress server) {
        return new DnsLookup(loop, channels, server, null);
    }

    /**
     * For the start-up with {@code --dns}: resolves {@code names} through {@code server} on an event loop of its own,
     * closed again before returning. Each name maps to its first address, or to null if it did not resolve.
     */
    public static Map<String, InetAddress> startUp(Collection<String> names, InetSocketAddress server) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("balance-dns", true),
                NioIoHandler.newFactory());
        Map<String, InetAddress> first = new LinkedHashMap<>();
        try (DnsLookup lookup = new DnsLookup(group.next(), NioDatagramChannel::new, server, group)) {
            lookup.lookup(names).forEach((name, a) -> first.put(name, a.resolved() ? a.addresses().get(0) : null));
        }
        return first;
    }

    @Override
    public Map<String, Answer> lookup(Collection<String> names) {
        HostsFileEntriesProvider hosts = HostsFileEntriesProvider.parser().parseSilently();
        Map<String, Answer> answers = new LinkedHashMap<>();
        Map<String, Future<List<InetAddress>>> pending = new LinkedHashMap<>();
        for (String name : names) {
            String key = key(name);
            List<InetAddress> fromFile = new ArrayList<>(hosts.ipv4Entries().getOrDefault(key, List.of()));
            fromFile.addAll(hosts.ipv6Entries().getOrDefault(key, List.of()));
            if (!fromFile.isEmpty()) {
                answers.put(name, Answer.of(fromFile, -1));
            } else {
                ttls.forget(key);
                pending.put(name, resolver.resolveAll(name));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * QUERY_TIMEOUT_MILLIS + 1000);
        for (Map.Entry<String, Future<List<InetAddress>>> e : pending.entrySet()) {
            Future<List<InetAddress>> f = e.getValue();
            long left = deadline - System.nanoTime();
            if (!f.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left)))) {
                f.cancel(false);
                answers.put(e.getKey(), Answer.failed("no answer in time"));
            } else if (f.isSuccess()) {
                answers.put(e.getKey(), Answer.of(f.getNow(), ttls.of(key(e.getKey()))));
            } else {
                answers.put(e.getKey(), Answer.failed(reason(f.cause())));
            }
        }
        Map<String, Answer> inOrder = new LinkedHashMap<>();
        names.forEach(n -> inOrder.put(n, answers.get(n)));
        return inOrder;
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Netty's message without its long list of the queries tried. */
    private static String reason(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        resolver.close();
        if (ownLoop != null) {
            ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * The resolver's cache, caching nothing: it keeps the shortest TTL of the records each name got, for
     * {@link NameWatcher}'s schedule, and always lets the resolver ask the server.
     */
    private static final class TtlRecorder implements DnsCache {
        private final Map<String, Long> ttl = new ConcurrentHashMap<>();

        long of(String key) {
            return ttl.getOrDefault(key, -1L);
        }

        void forget(String key) {
            ttl.remove(key);
        }

        @Override
        public void clear() {
        }

        @Override
        public boolean clear(String hostname) {
            return false;
        }

        @Override
        public List<? extends DnsCacheEntry> get(String hostname, DnsRecord[] additionals) {
            return List.of();
        }

        @Override
        public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, InetAddress address, long originalTtl,
                                   EventLoop loop) {
            ttl.merge(key(hostname), originalTtl, Math::min);
            return new Entry(address, null);
        }

        @Override
        public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, Throwable cause, EventLoop loop) {
            return new Entry(null, cause);
        }
    }

    private record Entry(InetAddress address, Throwable cause) implements DnsCacheEntry {
    }
}
