package org.balance.stats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.balance.balancing.Destination;
import org.balance.balancing.Routing;

/**
 * The last minutes of an instance for the dashboard: sampled once a second (only while the statistics endpoint
 * is on), per channel the bytes per second each way and the sessions in progress, and the state changes seen
 * (from {@code ENA}, {@code DIS}, {@code dis} to another, told by the channels themselves as they happen).
 */
final class History {
    /** Samples kept: five minutes at one a second. */
    static final int SAMPLES = 300;
    static final int CHANGES = 50;

    /** A channel's state changed between two samples. */
    record Change(long millis, int group, int channel, String address, String from, String to) {
    }

    private static final class Series {
        final double[] sent = new double[SAMPLES];
        final double[] received = new double[SAMPLES];
        final int[] current = new int[SAMPLES];
        long lastSent;
        long lastReceived;
        /** The sample number this series started at (channels created later start late). */
        long first;
    }

    private final Supplier<Snapshot> source;
    private final Routing routing;
    private final Destination.StateListener listener = this::changed;
    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Deque<Change> changes = new ArrayDeque<>();
    private long samples;
    private long lastMillis;

    History(Supplier<Snapshot> source, Routing routing) {
        this.source = source;
        this.routing = routing;
        listenToAll();
    }

    /** Every channel, also those created since the last sample, tells this history its changes. */
    private void listenToAll() {
        for (Destination d : routing.allChannels()) {
            d.listen(listener);
        }
    }

    /** Stops listening. */
    void close() {
        for (Destination d : routing.allChannels()) {
            d.listen(null);
        }
    }

    /** A channel's state changed: logged with its group, channel and address. */
    private void changed(Destination d, Destination.Status from, Destination.Status to) {
        for (int g = 0; g < routing.groupCount(); g++) {
            int c = routing.group(g).channels().indexOf(d);
            if (c >= 0) {
                String address = d.endpoint().toString();
                synchronized (this) {
                    changes.addLast(new Change(System.currentTimeMillis(), g, c, address, Snapshot.label(from), Snapshot.label(to)));
                    while (changes.size() > CHANGES) {
                        changes.removeFirst();
                    }
                }
                return;
            }
        }
    }

    /** Takes one sample now. The snapshot is read before taking this history's lock, which a channel's change takes. */
    void sample() {
        Snapshot s = source.get();
        synchronized (this) {
            add(s);
        }
        listenToAll();
    }

    private void add(Snapshot s) {
        double seconds = lastMillis == 0 ? 1 : Math.max(0.001, (s.takenMillis() - lastMillis) / 1000.0);
        int slot = (int) (samples % SAMPLES);
        Map<String, Series> seen = new HashMap<>();
        for (Snapshot.Row r : s.rows()) {
            String key = r.group() + "." + r.channel();
            Series x = series.get(key);
            if (x == null) {
                x = new Series();
                x.first = samples;
                x.lastSent = r.sent();
                x.lastReceived = r.received();
                series.put(key, x);
            }
            // a reset zeroes the counters: no negative rates
            x.sent[slot] = Math.max(0, r.sent() - x.lastSent) / seconds;
            x.received[slot] = Math.max(0, r.received() - x.lastReceived) / seconds;
            x.current[slot] = r.current();
            x.lastSent = r.sent();
            x.lastReceived = r.received();
            seen.put(key, x);
        }
        series.keySet().retainAll(seen.keySet());
        samples++;
        lastMillis = s.takenMillis();
    }

    /** The recent changes, oldest first. */
    synchronized List<Change> changes() {
        return new ArrayList<>(changes);
    }

    /** {@code {"interval":1,"time":T,"channels":{"G.C":{"sent":[...],"rcvd":[...],"c":[...]}}}}, oldest first. */
    synchronized String json() {
        Json j = new Json().open().member("interval", 1).member("time", lastMillis / 1000.0);
        j.name("channels").open();
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Series x = e.getValue();
            long n = Math.min(SAMPLES, samples - x.first);
            long from = samples - n;
            j.name(e.getKey()).open();
            j.name("sent").openArray();
            for (long i = from; i < samples; i++) {
                j.value(Math.round(x.sent[(int) (i % SAMPLES)]));
            }
            j.closeArray().name("rcvd").openArray();
            for (long i = from; i < samples; i++) {
                j.value(Math.round(x.received[(int) (i % SAMPLES)]));
            }
            j.closeArray().name("c").openArray();
            for (long i = from; i < samples; i++) {
                j.value(x.current[(int) (i % SAMPLES)]);
            }
            j.closeArray().close();
        }
        return j.close().close().toString();
    }
}
