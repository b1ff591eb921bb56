package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.balance.balancing.Balancer;
import org.balance.balancing.Destination;
import org.balance.balancing.Endpoint;
import org.balance.balancing.GroupType;
import org.balance.balancing.Limits;
import org.balance.balancing.Routing;
import org.balance.balancing.Selection;
import org.balance.control.CommandHandler.After;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandTableTest {
    private static final Map<String, String> HOSTS = Map.of("10.0.0.9", "10.0.0.9", "web2", "10.0.0.22");

    private final CommandTable table = new CommandTable(host -> {
        String ip = HOSTS.get(host);
        if (ip == null) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getByName(ip);
    });
    private Routing routing;
    private ControlSession session;

    @BeforeEach
    void setUp() throws Exception {
        routing = new Routing();
        routing.group(0).add(channel("10.0.0.1", 80, 0, true));
        routing.group(0).add(channel("10.0.0.2", 8080, 16, true));
        routing.group(1).add(channel("192.168.100.200", 25, 0, false));
        routing.group(1).setType(GroupType.HASH);
        session = new ControlSession(routing, 4242);
    }

    private static Destination channel(String ip, int port, int maxc, boolean enabled) throws Exception {
        return new Destination(Endpoint.of(ip, InetAddress.getByName(ip), port), maxc, enabled);
    }

    private String run(String line) {
        CommandTable.Result r = table.execute(line, session);
        assertEquals(After.CONTINUE, r.after(), line);
        return r.output();
    }

    @Test
    void abbreviationsPickTheFirstCommandInTheOriginalOrder() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("q", "quit"), Map.entry("s", "show"), Map.entry("h", "help"), Map.entry("he", "help"),
                Map.entry("?", "help"), Map.entry("ha", "hash"), Map.entry("k", "kill"), Map.entry("d", "disable"),
                Map.entry("g", "group"), Map.entry("r", "reset"), Map.entry("re", "reset"), Map.entry("rr", "rr"),
                Map.entry("e", "enable"), Map.entry("c", "create"), Map.entry("a", "assign"), Map.entry("m", "maxc"),
                Map.entry("mr", "mrtg-bytes"), Map.entry("mrtg-", "mrtg-bytes"), Map.entry("mrtg-c", "mrtg-conns"),
                Map.entry("v", "version"), Map.entry("version", "version"), Map.entry("mrtg-conns", "mrtg-conns"),
                Map.entry("mo", "monitor"), Map.entry("mon", "monitor"), Map.entry("monitor", "monitor"),
                Map.entry("w", "weight"), Map.entry("l", "leastconn"));
        expected.forEach((word, name) -> assertEquals(name, table.find(word).name(), word));
        for (String word : List.of("x", "quitx", "shows", "??", "hashh", "mrtg-bytesx", "SHOW", "-c")) {
            assertNull(table.find(word), word);
        }
    }

    @Test
    void helpIsGeneratedFromTheTableInTheOriginalsWording() {
        String original = """
                available commands:
                  create <host> <port>           creates a channel in the current group
                  assign <channel> <host> <port> reassigns a channel in the current group
                  disable <channel>              disables specified channel in current group
                  enable <channel>               enables channel in current group
                  group <group>                  changes current group to <group>
                  monitor [enable|disable|show]  control the monitor process
                  hash                           sets distribution scheme of current group to Hash
                  help                           prints this message
                  json                           show the state and counters as JSON
                  kill                           kills master process and quits interactive mode
                  leastconn                      sets distribution scheme of current group to Least Connections
                  maxc <channel> <maxc>          specifies new maxc for channel of current group
                  mrtg-bytes <grp> <ch>          print bytes in/out in MRTG format
                  mrtg-conns <grp> <ch>          print total connections in MRTG format
                  quit                           quit interactive mode
                  reset <channel>                reset all counters of channel in current group
                  rr                             sets distribution scheme of current group to Round Robin
                  show                           show all channels in all groups
                  version                        show version id
                  weight <channel> <weight>      sets weight (0-1000) of channel in current group
                """;
        assertEquals(original, run("help"), "the original's list, with balance.fm's monitor where balance.fm has it, json, leastconn and weight");
        assertEquals(original, run("?"));
        assertEquals(original, run("h"));
        assertEquals(20, table.commands().size());
        for (Command c : table.commands()) {
            assertTrue(original.contains(c.usageLine()), c.name());
        }
    }

    @Test
    void emptyAndUnknownLines() {
        assertEquals("", run(""));
        assertEquals("", run(" \t  "));
        assertEquals("syntax error\n", run("bogus"));
        assertEquals("syntax error\n", run("\u0000\u00ff\u0007"));
        assertEquals("syntax error\n", run("SHOW"));
    }

    @Test
    void wordsSplitOnSpacesAndTabs() {
        assertEquals(List.of("a", "b", "c"), CommandTable.words("  a\t\tb c  "));
        assertEquals(List.of(), CommandTable.words(""));
        assertEquals("channel 1 disabled\n", run("\tdisable\t 1 \t"));
    }

    @Test
    void showPrintsTheOriginalsColumns() {
        Balancer balancer = new Balancer(routing, false);
        Selection s = balancer.select(new byte[] {1, 2, 3, 4});
        s.destination().addSent(1234);
        s.destination().addReceived(56789);
        String expected = ""
                + "GRP Type  #   S       ip-address  port    c      totalc maxc        sent        rcvd\n"
                + "  0   RR  0 ENA         10.0.0.1    80    1           1    0        1234       56789\n"
                + "  0   RR  1 ENA         10.0.0.2  8080    0           0   16           0           0\n"
                + "  1 Hash  0 dis  192.168.100.200    25    0           0    0           0           0\n";
        assertEquals(expected, run("show"));
        assertEquals(expected, run("sh"));
    }

    @Test
    void showLetsWideValuesOverflowAsPrintfDoes() throws Exception {
        Routing r = new Routing();
        Destination d = channel("2001:db8:0:0:0:0:0:1", 65535, 0, true);
        d.addSent(123_456_789_012_345L);
        r.group(0).add(d);
        StringBuilder out = new StringBuilder();
        ShowCommand.format(r, out);
        assertEquals(ShowCommand.HEADER
                        + "  0   RR  0 ENA 2001:db8:0:0:0:0:0:1 65535    0           0    0 123456789012345           0\n",
                out.toString());
    }

    @Test
    void enableAndDisable() {
        assertEquals("channel 1 disabled\n", run("disable 1"));
        assertFalse(routing.group(0).channel(1).isEnabled());
        assertEquals("channel 1 already disabled\n", run("disable 1"));
        assertEquals("channel 1 enabled\n", run("enable 1"));
        assertTrue(routing.group(0).channel(1).isEnabled());
        assertEquals("channel 1 already enabled\n", run("en 1"));
        assertEquals("no such channel 2\n", run("enable 2"));
        assertEquals("no such channel -1\n", run("disable -1"));
        assertEquals("no such channel 7\n", run("disable +007"));
        assertEquals("no such channel 99999999999999999999\n", run("disable 99999999999999999999"));
        assertEquals("syntax error\n", run("disable"));
        assertEquals("syntax error\n", run("disable one"));
        assertEquals("syntax error\n", run("disable 1x"));
        assertEquals("syntax error\n", run("enable -"));
    }

    @Test
    void groupChangesWhereCommandsAct() {
        assertEquals("", run("group 1"));
        assertEquals(1, session.currentGroup());
        assertEquals("channel 0 enabled\n", run("enable 0"));
        assertTrue(routing.group(1).channel(0).isEnabled());
        assertEquals("value out of range\n", run("group 32"));
        assertEquals("value out of range\n", run("group -1"));
        assertEquals("value out of range\n", run("group 4294967296"));
        assertEquals(1, session.currentGroup());
        assertEquals("syntax error\n", run("group"));
        assertEquals("syntax error\n", run("group x"));
        assertEquals("", run("group 31"));
        assertEquals("no such channel 0\n", run("enable 0"));
    }

    @Test
    void hashAndRoundRobinSetTheCurrentGroupsScheme() {
        assertEquals("group 0 set to hash\n", run("hash"));
        assertEquals(GroupType.HASH, routing.group(0).type());
        run("group 1");
        assertEquals("group 1 set to round robin\n", run("rr"));
        assertEquals(GroupType.ROUND_ROBIN, routing.group(1).type());
    }

    @Test
    void leastconnSetsTheCurrentGroupsSchemeAndShowKeepsItsColumns() {
        assertEquals("group 0 set to least connections\n", run("leastconn"));
        assertEquals(GroupType.LEAST_CONNECTIONS, routing.group(0).type());
        assertEquals("group 0 set to least connections\n", run("l"));
        assertTrue(run("show").contains("\n  0   LC  0 ENA         10.0.0.1    80    0           0    0           0           0\n"),
                run("show"));
    }

    @Test
    void maxc() {
        assertEquals("maxc of channel 1 changed to 3\n", run("maxc 1 3"));
        assertEquals(3, routing.group(0).channel(1).maxConnections());
        assertEquals("maxc of channel 0 changed to 2147483647\n", run("maxc 0 2147483647"));
        assertEquals("maxc of channel 0 changed to 0\n", run("maxc 0 0"));
        assertEquals("unknown channel\n", run("maxc 2 3"));
        assertEquals("unknown channel\n", run("maxc -1 3"));
        assertEquals("value out of range\n", run("maxc 0 -1"));
        assertEquals("value out of range\n", run("maxc 0 2147483648"));
        assertEquals(0, routing.group(0).channel(0).maxConnections());
        assertEquals("syntax error\n", run("maxc 0"));
        assertEquals("syntax error\n", run("maxc"));
        assertEquals("syntax error\n", run("maxc 0 lots"));
    }

    @Test
    void weight() {
        assertEquals("weight of channel 1 changed to 3\n", run("weight 1 3"));
        assertEquals(3, routing.group(0).channel(1).weight());
        assertEquals(1, routing.group(0).channel(0).weight(), "1 unless given");
        assertEquals("weight of channel 0 changed to 0\n", run("w 0 0"));
        assertEquals("weight of channel 0 changed to 1000\n", run("weight 0 1000"));
        assertEquals("invalid weight [1001]: 0 to 1000\n", run("weight 0 1001"));
        assertEquals("invalid weight [-1]: 0 to 1000\n", run("weight 0 -1"));
        assertEquals(1000, routing.group(0).channel(0).weight());
        assertEquals("unknown channel\n", run("weight 2 3"));
        assertEquals("syntax error\n", run("weight 0"));
        assertEquals("syntax error\n", run("weight 0 heavy"));
        // from now on round robin gives channel 0 1000 sessions for channel 1's 3
        Balancer balancer = new Balancer(routing, false);
        int[] count = new int[2];
        for (int i = 0; i < 1003; i++) {
            Selection s = balancer.select(new byte[4]);
            count[s.channel()]++;
            s.destination().release();
        }
        assertEquals(1000, count[0]);
        assertEquals(3, count[1]);
    }

    @Test
    void resetZeroesTotalsButNotCurrentConnections() {
        Balancer balancer = new Balancer(routing, false);
        Destination d = balancer.select(new byte[4]).destination();
        d.addSent(10);
        d.addReceived(20);
        assertEquals("channel 0 counters reset\n", run("reset 0"));
        assertEquals(0, d.bytesSent());
        assertEquals(0, d.bytesReceived());
        assertEquals(0, d.totalConnections());
        assertEquals(1, d.currentConnections());
        assertEquals("no such channel 5\n", run("reset 5"));
        assertEquals("syntax error\n", run("reset"));
    }

    @Test
    void mrtgPrintsFourLinesAndChecksTheAskedGroup() {
        Destination d = routing.group(0).channel(1);
        d.addSent(100);
        d.addReceived(2000);
        new Balancer(routing, false).select(new byte[4]);
        new Balancer(routing, false).select(new byte[4]);
        assertEquals("2000\n100\nUNKNOWN\ngroup 0 channel 1\n", run("mrtg-bytes 0 1"));
        assertEquals("1\nUNKNOWN\nUNKNOWN\ngroup 0 channel 1\n", run("mrtg-conns 0 1"));
        assertEquals("0\n0\nUNKNOWN\ngroup 1 channel 0\n", run("mrtg-bytes 1 0"));
        // the original checked the channel against the current group (0, two channels) and printed garbage
        assertEquals("unknown channel\n", run("mrtg-bytes 1 1"));
        assertEquals("unknown channel\n", run("mrtg-conns 0 2"));
        assertEquals("unknown channel\n", run("mrtg-conns 0 -1"));
        assertEquals("unknown group\n", run("mrtg-bytes 32 0"));
        assertEquals("unknown group\n", run("mrtg-bytes -1 0"));
        assertEquals("syntax error\n", run("mrtg-bytes 0"));
        assertEquals("syntax error\n", run("mrtg-conns x 0"));
    }

    @Test
    void version() {
        assertEquals("  This is balance 4.0\n  MAXGROUPS=" + Limits.MAX_GROUPS + "\n  MAXCHANNELS=" + Limits.MAX_CHANNELS
                + "\n", run("version"));
        assertEquals("  This is balance 4.0\n  MAXGROUPS=32\n  MAXCHANNELS=64\n", run("v"));
    }

    @Test
    void createAppendsADisabledChannel() {
        assertEquals("channel created\n", run("create web2 8081"));
        Destination d = routing.group(0).channel(2);
        assertEquals("10.0.0.22", d.endpoint().addressText());
        assertEquals(8081, d.endpoint().port());
        assertFalse(d.isEnabled());
        assertEquals("channel created\n", run("create 10.0.0.9 ssh"));
        assertEquals(22, routing.group(0).channel(3).endpoint().port());
        assertEquals("invalid address\n", run("create nowhere 80"));
        assertEquals("invalid address\n", run("create web2 0"));
        assertEquals("invalid address\n", run("create web2 65536"));
        assertEquals("invalid address\n", run("create web2 no-such-service"));
        assertEquals("syntax error\n", run("create web2"));
        assertEquals("syntax error\n", run("create"));
        assertEquals(4, routing.group(0).size());
    }

    @Test
    void createStopsAtTheChannelLimit() {
        run("group 5");
        for (int i = 0; i < Limits.MAX_CHANNELS; i++) {
            assertEquals("channel created\n", run("create 10.0.0.9 " + (1000 + i)));
        }
        assertEquals("no channel slots available\n", run("create 10.0.0.9 80"));
        assertEquals("no channel slots available\n", run("create"));
        assertEquals(Limits.MAX_CHANNELS, routing.group(5).size());
    }

    @Test
    void assignOnlyWhileDisabled() {
        assertEquals("channel must be disabled to assign new address\n", run("assign 0 web2 81"));
        assertEquals("channel must be disabled to assign new address\n", run("assign 0"));
        run("disable 0");
        assertEquals("syntax error\n", run("assign 0 web2"));
        assertEquals("invalid address\n", run("assign 0 nowhere 81"));
        assertEquals("channel reassigned\n", run("assign 0 web2 81"));
        assertEquals("10.0.0.22:81", routing.group(0).channel(0).endpoint().toString());
        assertEquals("unknown channel\n", run("assign 2 web2 81"));
        assertEquals("unknown channel\n", run("assign -1 web2 81"));
        assertEquals("syntax error\n", run("assign"));
        assertEquals("syntax error\n", run("assign zero web2 81"));
    }

    @Test
    void quitAndKillEndTheShell() {
        assertSame(After.QUIT, table.execute("quit", session).after());
        assertSame(After.QUIT, table.execute("q", session).after());
        assertSame(After.KILL, table.execute("kill", session).after());
        assertSame(After.KILL, table.execute("k now", session).after());
        assertEquals("", table.execute("kill", session).output());
    }

    @Test
    void numbersAreParsedStrictly() {
        assertEquals(5, Arguments.parse("5").intValueExact());
        assertEquals(5, Arguments.parse("+5").intValueExact());
        assertEquals(-5, Arguments.parse("-5").intValueExact());
        assertNull(Arguments.parse(""));
        assertNull(Arguments.parse("-"));
        assertNull(Arguments.parse("5 "));
        assertNull(Arguments.parse("0x10"));
        assertNull(Arguments.parse("1e3"));
        assertNull(Arguments.parse("٣"));
        assertEquals(-1, Arguments.index(Arguments.parse("99999999999999999999999"), 10));
        assertEquals(9, Arguments.index(Arguments.parse("9"), 10));
        assertEquals(-1, Arguments.index(Arguments.parse("10"), 10));
    }
}
