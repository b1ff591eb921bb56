package org.balance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SourceLimitsTest {
    private static byte[] ip(String s) {
        return NetUtil.createByteArrayFromIpAddressString(s);
    }

    @Test
    void atMostTheLimitPerAddressOthersUnaffected() {
        SourceLimits limits = new SourceLimits();
        SourceLimits.Slot a1 = limits.acquire(ip("10.0.0.1"), 2);
        SourceLimits.Slot a2 = limits.acquire(ip("10.0.0.1"), 2);
        assertNotNull(a1);
        assertNotNull(a2);
        assertNull(limits.acquire(ip("10.0.0.1"), 2));
        assertNotNull(limits.acquire(ip("10.0.0.2"), 2));
        a1.release();
        a1.release(); // only once
        assertEquals(1, limits.open(ip("10.0.0.1")));
        assertNotNull(limits.acquire(ip("10.0.0.1"), 2));
        assertNull(limits.acquire(ip("10.0.0.1"), 2));
    }

    @Test
    void ipv6CountsPerSlash64AndMappedAsIpv4() {
        SourceLimits limits = new SourceLimits();
        assertNotNull(limits.acquire(ip("2001:db8:1:2::1"), 1));
        assertNull(limits.acquire(ip("2001:db8:1:2:ffff::9"), 1), "same /64");
        assertNotNull(limits.acquire(ip("2001:db8:1:3::1"), 1), "another /64");
        assertNotNull(limits.acquire(ip("10.0.0.1"), 1));
        assertNull(limits.acquire(ip("::ffff:10.0.0.1"), 1), "IPv4-mapped is the IPv4 address");
    }

    @Test
    void entriesGoWithTheirLastSession() {
        SourceLimits limits = new SourceLimits();
        SourceLimits.Slot s = limits.acquire(ip("10.0.0.1"), 5);
        assertEquals(1, limits.sources());
        s.release();
        assertEquals(0, limits.sources());
        assertEquals(0, limits.open(ip("10.0.0.1")));
    }

    /** Event loops take and give back concurrently: never more than the limit at once, and all back to zero. */
    @Test
    void threadSafe() throws Exception {
        SourceLimits limits = new SourceLimits();
        byte[] a = ip("10.0.0.1");
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    SourceLimits.Slot s = limits.acquire(a, 3);
                    if (s != null) {
                        worst.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        holding.decrementAndGet();
                        s.release();
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, limits.sources());
        assertEquals(true, worst.get() <= 3, "held at once: " + worst.get());
    }
}
