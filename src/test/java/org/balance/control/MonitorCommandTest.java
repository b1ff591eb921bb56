package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.Routing;
import org.balance.health.CheckSpec;
import org.balance.health.HealthConfig;
import org.balance.health.HealthMonitor;
import org.balance.log.StderrLog;
import org.balance.relay.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What checks change in the shell: the S column of {@code show} tells the operator's disable ({@code DIS}) from
 * the checks' or autodisable's ({@code dis}) once checks are configured, and not otherwise; {@code monitor};
 * the answers of {@code disable} and {@code assign}. The monitor here is never started: no check runs.
 */
class MonitorCommandTest {
    private final CommandTable table = new CommandTable(host -> InetAddress.getByName(host));
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private Routing routing;

    @BeforeEach
    void setUp() throws Exception {
        routing = new Routing();
        for (int port : new int[] {8001, 8002, 8003}) {
            routing.group(0).add(new Destination(Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), port), 0, true));
        }
    }

    @AfterEach
    void tearDown() {
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private ControlSession session(boolean checks) throws Exception {
        HealthMonitor health = HealthMonitor.none();
        if (checks) {
            HealthConfig config = HealthConfig.of(List.of(
                    new HealthConfig.Spec(HealthConfig.Form.CHECK, CheckSpec.parse("connect")),
                    new HealthConfig.Spec(HealthConfig.Form.CHECK, CheckSpec.parse("channel=0.2:off"))), 5_000);
            health = HealthMonitor.of(config, routing, loops, Transport.named("nio"), null,
                    new StderrLog(new PrintStream(logged, true, StandardCharsets.UTF_8), false));
        }
        return new ControlSession(routing, health, 4242);
    }

    private String run(ControlSession session, String line) {
        return table.execute(line, session).output();
    }

    private static String status(String show, int channel) {
        return show.lines().skip(1 + channel).findFirst().orElseThrow().substring(12, 15);
    }

    @Test
    void withoutChecksShowPrintsTheOriginalsColumnForBothSwitches() throws Exception {
        ControlSession s = session(false);
        routing.group(0).channel(1).markDown(); // as -a does
        run(s, "disable 2");
        String show = run(s, "show");
        assertEquals("ENA", status(show, 0));
        assertEquals("dis", status(show, 1));
        assertEquals("dis", status(show, 2));
    }

    @Test
    void withChecksShowTellsTheOperatorsDisableFromTheChecks() throws Exception {
        ControlSession s = session(true);
        routing.group(0).channel(1).markDown();
        run(s, "disable 2");
        String show = run(s, "show");
        assertEquals("ENA", status(show, 0));
        assertEquals("dis", status(show, 1));
        assertEquals("DIS", status(show, 2));
        assertTrue(show.startsWith(ShowCommand.HEADER), "the same columns");
    }

    @Test
    void disableOfAnAutodisabledChannelAnswersAsTheOriginalWithoutChecks() throws Exception {
        ControlSession s = session(false);
        routing.group(0).channel(1).markDown();
        assertEquals("channel 1 already disabled\n", run(s, "disable 1"));
        assertEquals("channel 1 enabled\n", run(s, "enable 1"));
        assertTrue(routing.group(0).channel(1).isInService());
    }

    @Test
    void withChecksDisableMakesASoftDisableTheOperatorsAndIsLogged() throws Exception {
        ControlSession s = session(true);
        routing.group(0).channel(1).markDown();
        assertEquals("channel 1 disabled\n", run(s, "disable 1"));
        assertEquals(Destination.Status.DISABLED, routing.group(0).channel(1).status());
        assertEquals("channel 1 already disabled\n", run(s, "disable 1"));
        assertEquals("channel 1 enabled\n", run(s, "enable 1"));
        assertEquals("group 0 channel 1 (127.0.0.1:8002) disabled by the operator\n"
                + "group 0 channel 1 (127.0.0.1:8002) enabled by the operator\n", logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withChecksAssignWantsTheOperatorsDisableAsInBalanceFm() throws Exception {
        ControlSession s = session(true);
        routing.group(0).channel(0).markDown();
        assertEquals("channel must be disabled to assign new address\n", run(s, "assign 0 127.0.0.1 9000"));
        run(s, "disable 0");
        assertEquals("channel reassigned\n", run(s, "assign 0 127.0.0.1 9000"));
        ControlSession without = session(false);
        routing.group(0).channel(1).markDown();
        assertEquals("channel reassigned\n", run(without, "assign 1 127.0.0.1 9001"), "the original: any disabled channel");
    }

    @Test
    void monitorWithoutChecks() throws Exception {
        ControlSession s = session(false);
        for (String line : List.of("monitor", "monitor show", "mo enable", "monitor disable", "monitor s")) {
            assertEquals("no monitor process running\n", run(s, line), line);
        }
        assertEquals("syntax error\n", run(s, "monitor bogus"));
    }

    @Test
    void monitorEnableDisableAndShow() throws Exception {
        ControlSession s = session(true);
        assertEquals("monitor is already disabled\n", run(s, "monitor disable"), "never started here");
        String show = run(s, "monitor show");
        List<String> lines = show.lines().toList();
        assertEquals("monitor process running as pid 4242 and is disabled", lines.get(0));
        assertEquals("checks: connect timeout 2s; every 2s, rise 2, fall 3 (channels 0.0 0.1)", lines.get(1));
        assertEquals(MonitorCommand.HEADER.strip(), lines.get(2).strip());
        assertTrue(lines.get(3).matches("  0  0 ENA        127\\.0\\.0\\.1  8001 paused          0          0 "
                + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d -"), lines.get(3));
        assertTrue(lines.get(5).matches("  0  2 ENA        127\\.0\\.0\\.1  8003 none            0          0 "
                + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d -"), lines.get(5));
        assertEquals(6, lines.size());
        assertEquals(show, run(s, "monitor"), "show is the default");
        assertEquals("syntax error\n", run(s, "monitor bogus"));
    }
}
