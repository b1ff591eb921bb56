package org.balance.balancing;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel group: its type, its channels (numbered from 0) and its round-robin cursor.
 * Channels are only ever appended ({@code create}), so readers take a snapshot of the array without locking.
 */
public final class DestinationGroup {
    private final int number;
    private volatile GroupType type = GroupType.ROUND_ROBIN;
    private volatile Destination[] members = new Destination[0];
    private final AtomicInteger cursor = new AtomicInteger();

    public DestinationGroup(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public GroupType type() {
        return type;
    }

    public void setType(GroupType type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    public int size() {
        return members.length;
    }

    /** True when the group holds {@link Limits#MAX_CHANNELS} channels and {@code create} has no slot left. */
    public boolean isFull() {
        return members.length >= Limits.MAX_CHANNELS;
    }

    /** The channel numbered {@code index}, or null if there is none. */
    public Destination channel(int index) {
        Destination[] snapshot = members;
        return index >= 0 && index < snapshot.length ? snapshot[index] : null;
    }

    public List<Destination> channels() {
        return List.of(members);
    }

    /** Appends a channel; returns its number, or -1 if the group already holds {@link Limits#MAX_CHANNELS}. */
    public synchronized int add(Destination destination) {
        Objects.requireNonNull(destination, "destination");
        Destination[] old = members;
        if (old.length >= Limits.MAX_CHANNELS) {
            return -1;
        }
        Destination[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = destination;
        members = grown;
        return old.length;
    }

    /**
     * A reload: the group becomes {@code type} with exactly {@code channels}, in that order (at most
     * {@link Limits#MAX_CHANNELS}). Sessions in progress on channels left out go on; they just get no new ones.
     */
    public synchronized void replace(GroupType type, List<Destination> channels) {
        if (channels.size() > Limits.MAX_CHANNELS) {
            throw new IllegalArgumentException(channels.size() + " channels, at most " + Limits.MAX_CHANNELS);
        }
        this.type = Objects.requireNonNull(type, "type");
        members = channels.toArray(new Destination[0]);
    }

    int cursor(int channelCount) {
        int c = cursor.get();
        return c < channelCount ? c : 0;
    }

    /** Moves the cursor past the chosen channel, so that the next client starts at the one after it. */
    void advancePast(int index, int channelCount) {
        cursor.set((index + 1) % channelCount);
    }

    Destination[] snapshot() {
        return members;
    }
}
