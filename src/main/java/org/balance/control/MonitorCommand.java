package org.balance.control;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.balance.health.ChannelStatus;
import org.balance.health.HealthMonitor;

/**
 * {@code monitor [enable|disable|show]}, balance.fm's command and answers: switches the health checks on and
 * off, or shows them (the default). {@code show} prints balance.fm's first line, the checks in use, and a row
 * per channel: its S column as in {@code show}, the checks' verdict ({@code up}, {@code down}, {@code paused},
 * or {@code none} for a channel without checks), checks passed and failed, when the channel's state last
 * changed, and the last result with its reason. The word after {@code monitor} may be abbreviated.
 */
final class MonitorCommand implements CommandHandler {
    static final String HEADER = String.format(Locale.ROOT, "%3s %2s %3s %16s %5s %-6s %10s %10s %-19s %s\n",
            "GRP", "#", "S", "ip-address", "port", "check", "passed", "failed", "last change", "last result");
    private static final String ROW = "%3d %2d %3s %16s %5d %-6s %10d %10d %-19s %s\n";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    @Override
    public After run(ControlSession session, Arguments args, StringBuilder out) throws SyntaxError {
        String word = args.size() == 0 ? "show" : args.word(0);
        HealthMonitor health = session.health();
        if (word.isEmpty() || !("enable".startsWith(word) || "disable".startsWith(word) || "show".startsWith(word))) {
            throw new SyntaxError();
        }
        if (!health.isConfigured()) {
            out.append("no monitor process running\n");
        } else if ("enable".startsWith(word)) {
            out.append(health.enable() ? "monitor is now enabled\n" : "monitor is already enabled\n");
        } else if ("disable".startsWith(word)) {
            out.append(health.disable() ? "monitor is now disabled\n" : "monitor is already disabled\n");
        } else {
            show(session, health, out);
        }
        return After.CONTINUE;
    }

    private static void show(ControlSession session, HealthMonitor health, StringBuilder out) {
        out.append("monitor process running as pid ").append(session.pid()).append(" and is ")
                .append(health.isEnabled() ? "enabled" : "disabled").append('\n');
        List<ChannelStatus> rows = health.status();
        Map<String, StringBuilder> plans = new LinkedHashMap<>();
        for (ChannelStatus r : rows) {
            if (r.plan() != null) {
                plans.computeIfAbsent(r.plan().toString(), p -> new StringBuilder())
                        .append(' ').append(r.group()).append('.').append(r.channel());
            }
        }
        plans.forEach((plan, channels) -> out.append("checks: ").append(plan).append(" (channels").append(channels).append(")\n"));
        out.append(HEADER);
        ZoneId zone = ZoneId.systemDefault();
        for (ChannelStatus r : rows) {
            String changed = TIME.format(Instant.ofEpochMilli(r.lastChangeMillis()).atZone(zone));
            String last = r.lastResult() == null ? "-" : r.lastResult().toString();
            out.append(String.format(Locale.ROOT, ROW, r.group(), r.channel(), ShowCommand.label(r.status(), true),
                    r.endpoint().addressText(), r.endpoint().port(), r.check(), r.passed(), r.failed(), changed, last));
        }
    }
}
