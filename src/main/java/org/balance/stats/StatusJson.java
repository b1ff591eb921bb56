package org.balance.stats;

import java.util.List;

/**
 * A {@link Snapshot} as JSON for scripts and the dashboard: the instance's counts, then the groups with their
 * channels, in the words of {@code show} ({@code state} ENA, DIS or dis) beside the checks' verdict.
 */
public final class StatusJson {
    private StatusJson() {
    }

    public static String of(Snapshot s, String version) {
        return write(s, version, null).toString();
    }

    /** The snapshot, and {@code changes} (the recent state changes) when given. */
    static Json write(Snapshot s, String version, List<History.Change> changes) {
        Json j = new Json().open()
                .member("version", version)
                .member("pid", s.pid())
                .member("time", s.takenMillis() / 1000.0)
                .member("started", s.startedMillis() / 1000.0)
                .member("checks", s.checks())
                .member("accepted", s.accepted())
                .member("unavailable", s.unavailable())
                .member("proxy_header_rejected", s.headerRejected())
                .name("refused").open().member("limit", s.refusedLimit()).member("list", s.refusedList()).close()
                .member("in_progress", s.inProgress())
                .member("open_fds", s.openFds())
                .member("max_fds", s.maxFds());
        j.name("groups").openArray();
        for (Snapshot.Group g : s.groups()) {
            j.open().member("group", g.number()).member("type", g.type());
            j.name("channels").openArray();
            for (Snapshot.Row r : g.channels()) {
                j.open()
                        .member("channel", r.channel())
                        .member("host", r.host())
                        .member("ip", r.ip())
                        .member("port", r.port())
                        .member("state", r.state())
                        .member("c", r.current())
                        .member("totalc", r.total())
                        .member("maxc", r.maxc())
                        .member("weight", r.weight())
                        .member("sent", r.sent())
                        .member("rcvd", r.received());
                if (s.checks()) {
                    j.member("check", r.check())
                            .member("checks_passed", r.checksPassed())
                            .member("checks_failed", r.checksFailed())
                            .member("last_check", r.lastCheck())
                            .member("last_change", r.lastChangeMillis() / 1000.0);
                }
                long connects = 0;
                for (long b : r.connectBuckets()) {
                    connects += b;
                }
                j.name("connect").open()
                        .member("ok", connects)
                        .member("seconds", r.connectSeconds())
                        .member("refused", r.refused())
                        .member("timeout", r.timeouts())
                        .member("other", r.otherFailures())
                        .close();
                j.close();
            }
            j.closeArray().close();
        }
        j.closeArray();
        if (changes != null) {
            j.name("changes").openArray();
            for (History.Change c : changes) {
                j.open().member("time", c.millis() / 1000.0).member("group", c.group()).member("channel", c.channel())
                        .member("address", c.address()).member("from", c.from()).member("to", c.to()).close();
            }
            j.closeArray();
        }
        return j.close();
    }
}
