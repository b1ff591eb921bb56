package org.balance.stats;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.balance.balancing.ConnectStats;
import org.balance.balancing.Destination;

/**
 * A {@link Snapshot} in the Prometheus text format, HAProxy's exporter ({@code haproxy_server_*}) as the model:
 * prefix {@code balance_}, base units, counters ending in {@code _total}, per channel labelled by
 * {@code group}, {@code channel} and {@code address} (never by client), the state as one series per state value.
 * The Prometheus Java client's model and text writer do the format (names, escaping, histogram lines).
 */
public final class PrometheusText {
    /** {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private PrometheusText() {
    }

    public static void write(Snapshot s, String version, String transport, OutputStream out) throws IOException {
        WRITER.write(out, snapshots(s, version, transport), EscapingScheme.ALLOW_UTF8);
    }

    static MetricSnapshots snapshots(Snapshot s, String version, String transport) {
        List<Snapshot.Row> rows = s.rows();
        MetricSnapshots.Builder all = MetricSnapshots.builder();

        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("balance_channel_state")
                .help("Channel state, one series per state: enabled, disabled (by the operator), down (by checks or -a)");
        for (Snapshot.Row r : rows) {
            for (Destination.Status st : Destination.Status.values()) {
                state.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(r).add("state", stateName(st)))
                        .value(r.status() == st ? 1 : 0).build());
            }
        }
        all.metricSnapshot(state.build());

        if (s.checks()) {
            GaugeSnapshot.Builder check = GaugeSnapshot.builder().name("balance_channel_check_up")
                    .help("Health checks' verdict: 1 up, 0 down or paused");
            CounterSnapshot.Builder checks = CounterSnapshot.builder().name("balance_channel_checks")
                    .help("Health checks run, by result (passed, failed)");
            for (Snapshot.Row r : rows) {
                if (r.check() == null || r.check().equals("none")) {
                    continue;
                }
                check.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(r)).value("up".equals(r.check()) ? 1 : 0).build());
                checks.dataPoint(counter(labels(r).add("result", "passed"), r.checksPassed()));
                checks.dataPoint(counter(labels(r).add("result", "failed"), r.checksFailed()));
            }
            all.metricSnapshot(check.build());
            all.metricSnapshot(checks.build());
        }

        all.metricSnapshot(gauge("balance_channel_current_sessions", "Sessions in progress on the channel (show: c)", rows,
                Snapshot.Row::current));
        all.metricSnapshot(counter("balance_channel_sessions", "Sessions given to the channel (show: totalc)", rows,
                Snapshot.Row::total));
        all.metricSnapshot(gauge("balance_channel_max_sessions", "Session limit of the channel, 0 for none (show: maxc)",
                rows, Snapshot.Row::maxc));
        all.metricSnapshot(gauge("balance_channel_weight", "Weight of the channel in its group, 0 takes no new session",
                rows, Snapshot.Row::weight));
        all.metricSnapshot(counter("balance_channel_sent_bytes", "Bytes from clients to the channel's server (show: sent)",
                rows, Snapshot.Row::sent));
        all.metricSnapshot(counter("balance_channel_received_bytes",
                "Bytes from the channel's server back to clients (show: rcvd)", rows, Snapshot.Row::received));

        CounterSnapshot.Builder failures = CounterSnapshot.builder().name("balance_channel_connect_failures")
                .help("Connects to the channel's server that failed, by reason (refused, timeout, other)");
        for (Snapshot.Row r : rows) {
            failures.dataPoint(counter(labels(r).add("reason", "refused"), r.refused()));
            failures.dataPoint(counter(labels(r).add("reason", "timeout"), r.timeouts()));
            failures.dataPoint(counter(labels(r).add("reason", "other"), r.otherFailures()));
        }
        all.metricSnapshot(failures.build());

        double[] bounds = Arrays.copyOf(ConnectStats.BOUNDS, ConnectStats.BOUNDS.length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        HistogramSnapshot.Builder connect = HistogramSnapshot.builder().name("balance_channel_connect_duration_seconds")
                .help("Time successful connects to the channel's server took");
        for (Snapshot.Row r : rows) {
            connect.dataPoint(HistogramDataPointSnapshot.builder().labels(labels(r))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, r.connectBuckets()))
                    .sum(r.connectSeconds()).build());
        }
        all.metricSnapshot(connect.build());

        all.metricSnapshot(CounterSnapshot.builder().name("balance_accepted_sessions")
                .help("Client connections accepted").dataPoint(counter(Labels.EMPTY, s.accepted())).build());
        all.metricSnapshot(CounterSnapshot.builder().name("balance_unavailable_sessions")
                .help("Client connections closed at once because no channel was available")
                .dataPoint(counter(Labels.EMPTY, s.unavailable())).build());
        all.metricSnapshot(CounterSnapshot.builder().name("balance_proxy_header_rejected")
                .help("Client connections closed before a channel was chosen: PROXY header missing, late or invalid")
                .dataPoint(counter(Labels.EMPTY, s.headerRejected())).build());
        all.metricSnapshot(CounterSnapshot.builder().name("balance_sessions_refused")
                .help("Client connections closed before a channel was chosen: over --source-limit (limit), "
                        + "by --allow/--deny (list)")
                .dataPoint(counter(Labels.of("reason", "limit"), s.refusedLimit()))
                .dataPoint(counter(Labels.of("reason", "list"), s.refusedList())).build());
        all.metricSnapshot(gauge("balance_sessions_in_progress", "Client connections open", s.inProgress()));
        if (s.openFds() >= 0) {
            all.metricSnapshot(gauge("balance_open_fds", "File descriptors in use", s.openFds()));
            all.metricSnapshot(gauge("balance_max_fds", "File descriptor limit", s.maxFds()));
        }
        all.metricSnapshot(gauge("balance_start_time_seconds", "Start time of the instance, seconds since the epoch",
                s.startedMillis() / 1000.0));
        all.metricSnapshot(InfoSnapshot.builder().name("balance_build").help("Version of balance, Java and the transport")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(
                        "version", version, "java_version", System.getProperty("java.version"), "transport", transport))
                        .build()).build());
        return all.build();
    }

    /** {@code enabled}, {@code disabled} (the operator's), {@code down} (checks or {@code -a}). */
    static String stateName(Destination.Status st) {
        return switch (st) {
            case ENABLED -> "enabled";
            case DISABLED -> "disabled";
            case SOFT_DISABLED -> "down";
        };
    }

    private static Labels labels(Snapshot.Row r) {
        return Labels.of("group", Integer.toString(r.group()), "channel", Integer.toString(r.channel()),
                "address", r.address());
    }

    private static CounterDataPointSnapshot counter(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot counter(String name, String help, List<Snapshot.Row> rows, ToLongFunction<Snapshot.Row> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        rows.forEach(r -> b.dataPoint(counter(labels(r), value.applyAsLong(r))));
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, List<Snapshot.Row> rows, ToDoubleFunction<Snapshot.Row> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        rows.forEach(r -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(r)).value(value.applyAsDouble(r)).build()));
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
