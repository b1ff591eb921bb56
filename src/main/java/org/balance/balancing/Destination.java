package org.balance.balancing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One channel: a destination with its switches and counters. The name avoids Netty's {@code Channel}.
 *
 * <p>Two switches, as in HAProxy (administrative and operational state) and balance.fm (hard and soft disable):
 * the operator's ({@code enable}/{@code disable}, {@code create}), and the soft one that health checks and
 * autodisable ({@code -a}) pull ({@link #markDown()}, {@link #markUp()}). A channel is in service only when
 * both are on; the soft switch never brings back a channel the operator disabled.
 *
 * <p>Everything here is safe to use from any thread: the accept path reserves a connection slot with one
 * compare-and-set, the relay adds bytes to striped counters, and the control shell reads and changes the
 * switches while sessions run.
 */
public final class Destination {
    private volatile Endpoint endpoint;
    private volatile boolean enabled;
    private volatile boolean down;
    private volatile int maxConnections;
    private volatile int weight = 1;
    private final AtomicInteger current = new AtomicInteger();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final ConnectStats connects = new ConnectStats();
    private volatile StateListener listener;

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

    /** Told of every change of {@link #status()}, on the thread that made it (statistics keep a log of them). */
    public interface StateListener {
        void changed(Destination d, Status from, Status to);
    }

    /** Sets the one listener (null: none). */
    public void listen(StateListener l) {
        listener = l;
    }

    private void tell(Status from) {
        StateListener l = listener;
        Status to = status();
        if (l != null && from != to) {
            l.changed(this, from, to);
        }
    }

    /** What {@code show} tells apart: in service, taken out softly (checks, {@code -a}), disabled by the operator. */
    public enum Status { ENABLED, SOFT_DISABLED, DISABLED }

    /** The operator's switch. */
    public boolean isEnabled() {
        return enabled;
    }

    /** The soft switch: taken out by health checks or by autodisable. */
    public boolean isDown() {
        return down;
    }

    /** Both switches on: the channel takes new sessions while below its maxc. */
    public boolean isInService() {
        return enabled && !down;
    }

    public Status status() {
        if (!enabled) {
            return Status.DISABLED;
        }
        return down ? Status.SOFT_DISABLED : Status.ENABLED;
    }

    /**
     * The operator's {@code enable}: turns both switches on, so that it also brings back a channel autodisabled
     * by {@code -a}, as in the original; returns false if the channel already was in service.
     */
    public synchronized boolean enable() {
        if (enabled && !down) {
            return false;
        }
        Status from = status();
        enabled = true;
        down = false;
        tell(from);
        return true;
    }

    /** The operator's {@code disable}: no new sessions (running ones go on); returns false if it already was. */
    public synchronized boolean disable() {
        if (!enabled) {
            return false;
        }
        Status from = status();
        enabled = false;
        tell(from);
        return true;
    }

    /** Takes the channel out softly (a failing check, {@code -a}); returns false if the soft switch already was off. */
    public synchronized boolean markDown() {
        if (down) {
            return false;
        }
        Status from = status();
        down = true;
        tell(from);
        return true;
    }

    /** Undoes {@link #markDown()}; the operator's switch stays as it is. Returns false if nothing changed. */
    public synchronized boolean markUp() {
        if (!down) {
            return false;
        }
        Status from = status();
        down = false;
        tell(from);
        return true;
    }

    /** Points a channel that is out of service somewhere else; returns false (and changes nothing) while it is in service. */
    public synchronized boolean assign(Endpoint newEndpoint) {
        Objects.requireNonNull(newEndpoint, "endpoint");
        if (enabled && !down) {
            return false;
        }
        endpoint = newEndpoint;
        return true;
    }

    /**
     * The same channel (same host name and port) found at another address by resolving its name again
     * ({@code --resolve}, a reload): unlike {@link #assign}, also while in service. New sessions connect there;
     * sessions in progress keep their connection; counters and switches stay. Call it through the group
     * ({@link DestinationGroup#replace}), whose Maglev table follows the address.
     */
    public synchronized void moveTo(Endpoint newEndpoint) {
        Objects.requireNonNull(newEndpoint, "endpoint");
        if (!newEndpoint.host().equals(endpoint.host()) || newEndpoint.port() != endpoint.port()) {
            throw new IllegalArgumentException(endpoint.host() + ":" + endpoint.port() + " is not " + newEndpoint.host()
                    + ":" + newEndpoint.port());
        }
        endpoint = newEndpoint;
    }

    /**
     * The channel's share of new sessions beside the others of its group (1 unless given): 0 to
     * {@link Limits#MAX_WEIGHT}; 0 takes no new session. Changed through its group, whose tables follow it.
     */
    public int weight() {
        return weight;
    }

    void setWeight(int weight) {
        if (weight < 0 || weight > Limits.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " out of range: 0 to " + Limits.MAX_WEIGHT);
        }
        this.weight = weight;
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

    /** In service and below its limit: a new session may be sent here. */
    public boolean isAvailable() {
        int max = maxConnections;
        return isInService() && (max == 0 || current.get() < max);
    }

    /** In service but every allowed slot is taken. */
    public boolean isFull() {
        int max = maxConnections;
        return isInService() && max != 0 && current.get() >= max;
    }

    /**
     * Takes a connection slot if the channel is available: the current count and the total go up at once,
     * before the connect, as in the original. Returns false if it is out of service (either switch) or full.
     */
    boolean tryReserve() {
        while (isInService()) {
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

    /** Failed connects by reason and the time of successful ones (not zeroed by {@code reset}: they are only statistics). */
    public ConnectStats connects() {
        return connects;
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
