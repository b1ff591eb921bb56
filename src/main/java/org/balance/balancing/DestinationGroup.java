package org.balance.balancing;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel group: its type, its channels (numbered from 0) with their weights, and its round-robin cursor.
 * The channels and weights are one immutable {@link Layout}, replaced as a whole on every change ({@code create},
 * {@code assign}, {@code weight}, a reload), so readers take it without locking.
 */
public final class DestinationGroup {
    private final int number;
    private volatile GroupType type = GroupType.ROUND_ROBIN;
    private volatile Layout layout = Layout.EMPTY;
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
        return layout.size();
    }

    /** True when the group holds {@link Limits#MAX_CHANNELS} channels and {@code create} has no slot left. */
    public boolean isFull() {
        return layout.size() >= Limits.MAX_CHANNELS;
    }

    /** The channel numbered {@code index}, or null if there is none. */
    public Destination channel(int index) {
        Destination[] snapshot = layout.members;
        return index >= 0 && index < snapshot.length ? snapshot[index] : null;
    }

    public List<Destination> channels() {
        return List.of(layout.members);
    }

    /** Appends a channel; returns its number, or -1 if the group already holds {@link Limits#MAX_CHANNELS}. */
    public synchronized int add(Destination destination) {
        Objects.requireNonNull(destination, "destination");
        Layout old = layout;
        if (old.size() >= Limits.MAX_CHANNELS) {
            return -1;
        }
        Destination[] grown = Arrays.copyOf(old.members, old.size() + 1);
        grown[old.size()] = destination;
        int[] weights = Arrays.copyOf(old.weights, grown.length);
        weights[old.size()] = destination.weight();
        layout = new Layout(grown, weights);
        return old.size();
    }

    /**
     * A reload: the group becomes {@code type} with exactly {@code channels}, in that order (at most
     * {@link Limits#MAX_CHANNELS}). Sessions in progress on channels left out go on; they just get no new ones.
     */
    public void replace(GroupType type, List<Destination> channels) {
        replace(type, channels, channels.stream().mapToInt(Destination::weight).toArray());
    }

    /** A reload, as {@link #replace(GroupType, List)}, with the channels' weights (same order). */
    public synchronized void replace(GroupType type, List<Destination> channels, int[] weights) {
        if (channels.size() > Limits.MAX_CHANNELS) {
            throw new IllegalArgumentException(channels.size() + " channels, at most " + Limits.MAX_CHANNELS);
        }
        if (weights.length != channels.size()) {
            throw new IllegalArgumentException(channels.size() + " channels, " + weights.length + " weights");
        }
        Destination[] members = channels.toArray(new Destination[0]);
        for (int i = 0; i < members.length; i++) {
            members[i].setWeight(weights[i]);
        }
        this.type = Objects.requireNonNull(type, "type");
        layout = new Layout(members, weights.clone());
    }

    /**
     * {@code weight}: channel {@code index} takes {@code weight} shares of the group's new sessions from now on
     * (0 to {@link Limits#MAX_WEIGHT}; 0: none). Returns false if there is no such channel.
     */
    public synchronized boolean setWeight(int index, int weight) {
        Destination d = channel(index);
        if (d == null) {
            return false;
        }
        d.setWeight(weight);
        Layout old = layout;
        int[] weights = old.weights.clone();
        weights[index] = weight;
        layout = new Layout(old.members, weights);
        return true;
    }

    /**
     * {@code assign}: points channel {@code index}, which must be out of service, to {@code endpoint}; its Maglev
     * slots follow the new address. Returns false (and changes nothing) if there is no such channel or it is in service.
     */
    public synchronized boolean assign(int index, Endpoint endpoint) {
        Destination d = channel(index);
        if (d == null || !d.assign(endpoint)) {
            return false;
        }
        Layout old = layout;
        layout = new Layout(old.members, old.weights);
        return true;
    }

    int cursor(int channelCount) {
        int c = cursor.get();
        return c < channelCount ? c : 0;
    }

    /** Moves the cursor past the chosen channel, so that the next client starts at the one after it. */
    void advancePast(int index, int channelCount) {
        cursor.set((index + 1) % channelCount);
    }

    Layout layout() {
        return layout;
    }
}
