package org.balance.balancing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One channel: a destination with its switches and counters. The name avoids Netty's {@code Channel}.
 *
 * <p>Everything here is safe to use from any thread: the accept path reserves a connection slot with one
 * compare-and-set, the relay adds bytes to striped counters, and the control shell reads and changes the
 * switches while sessions run.
 */
public final class Destination {
    private volatile Endpoint endpoint;
    private volatile boolean enabled;
    private volatile int maxConnections;
    private final AtomicInteger current = new AtomicInteger();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();

    public Destination(Endpoint endpoint, int maxConnections, boolean enabled) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxc must not be negative: " + maxConnections);
        }
        this.maxConnections = maxConnections;
        this.enabled = enabled;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Enables the channel; returns false if it already was. */
    public boolean enable() {
        return setEnabled(true);
    }

    /** Disables the channel for new sessions (running ones go on); returns false if it already was. */
    public boolean disable() {
        return setEnabled(false);
    }

    private synchronized boolean setEnabled(boolean value) {
        if (enabled == value) {
            return false;
        }
        enabled = value;
        return true;
    }

    /** Points a disabled channel somewhere else; returns false (and changes nothing) while it is enabled. */
    public synchronized boolean assign(Endpoint newEndpoint) {
        Objects.requireNonNull(newEndpoint, "endpoint");
        if (enabled) {
            return false;
        }
        endpoint = newEndpoint;
        return true;
    }

    /** 0 means unlimited. */
    public int maxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxc must not be negative: " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    /** Enabled and below its limit: a new session may be sent here. */
    public boolean isAvailable() {
        int max = maxConnections;
        return enabled && (max == 0 || current.get() < max);
    }

    /** Enabled but every allowed slot is taken. */
    public boolean isFull() {
        int max = maxConnections;
        return enabled && max != 0 && current.get() >= max;
    }

    /**
     * Takes a connection slot if the channel is available: the current count and the total go up at once,
     * before the connect, as in the original. Returns false if it is disabled or full.
     */
    boolean tryReserve() {
        while (enabled) {
            int max = maxConnections;
            int now = current.get();
            if (max != 0 && now >= max) {
                return false;
            }
            if (current.compareAndSet(now, now + 1)) {
                totalConnections.increment();
                return true;
            }
        }
        return false;
    }

    /** Gives back a slot taken by a successful selection; called exactly once per selection. */
    public void release() {
        current.decrementAndGet();
    }

    public int currentConnections() {
        return current.get();
    }

    public long totalConnections() {
        return totalConnections.sum();
    }

    /** Bytes from clients to this channel's server. */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Bytes from this channel's server back to clients. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    public void addSent(long bytes) {
        bytesSent.add(bytes);
    }

    public void addReceived(long bytes) {
        bytesReceived.add(bytes);
    }

    /** Zeroes the total connections and the byte counters ({@code reset}); current connections stay. */
    public void resetCounters() {
        totalConnections.reset();
        bytesSent.reset();
        bytesReceived.reset();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
