package org.balance.relay;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How much a session reads at once and how much it lets pile up towards a slow side before the other side stops
 * reading. Applied to both sockets of every session.
 *
 * <p>Measured on kernel 6.18 (docs/BENCH.md): with Netty's defaults (reads of at most 64 KiB, marks at 32 and
 * 64 KiB) one bulk stream moved 8.0 Gbit/s; with reads of up to 256 KiB and marks at 256 KiB and 1 MiB, 18.3
 * (direct: 30.8; nginx: 9.8). Larger reads mean fewer system calls per byte, and the wide gap between the marks
 * means a side under backpressure is switched off and on again rarely. A stalled session holds at most the high
 * mark plus one read in the proxy (1.25 MiB), less than the kernel's own socket buffers hold for it; an idle
 * session holds none: every buffer goes back to the pool once written.
 */
final class SessionBuffers {
    /** Largest single read: the allocator adapts between 1 KiB and this to what the socket delivers. */
    static final int MAX_READ = 256 * 1024;
    /** Pending output above which the peer stops reading, and below which it reads again. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** Shared: each channel gets its own handle from it. */
    static final RecvByteBufAllocator ALLOCATOR = new AdaptiveRecvByteBufAllocator(1024, 16 * 1024, MAX_READ);

    private SessionBuffers() {
    }

    static void apply(ChannelConfig config) {
        config.setRecvByteBufAllocator(ALLOCATOR);
        config.setWriteBufferWaterMark(WATER_MARK);
    }
}
