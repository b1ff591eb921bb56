package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@code --stats [ADDRESS:]PORT}, read like getopt_long and resolved to a listen address. */
class StatsOptionTest {

    @Test
    void readLikeGetoptLong() throws Exception {
        assertEquals("9110", CommandLine.parse("--stats", "9110", "80", "h1").stats());
        assertEquals("9110", CommandLine.parse("80", "--stats=9110", "h1").stats());
        UsageException ambiguous = assertThrows(UsageException.class, () -> CommandLine.parse("--st", "9110", "80", "h1"));
        assertEquals("option '--st' is ambiguous; possibilities: '--stats' '--stats-host'", ambiguous.getMessage(),
                "as getopt_long says it");
        assertEquals(java.util.List.of("80", "h1"), CommandLine.parse("--stats", "9110", "80", "h1").operands());
        assertNull(CommandLine.parse("80", "h1").stats());
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("80", "h1", "--stats"));
        assertEquals("option '--stats' requires an argument", e.getMessage());
        assertEquals(Options.Mode.HELP, CommandLine.parse("--stats", "1", "--he").mode(), "--he is still --help");
    }

    @Test
    void statsHostNamesAreRepeatedAndTheNameInStatsCounts() throws Exception {
        Options o = CommandLine.parse("--stats-host", "stats.example.com", "--stats-h=lb1.", "--stats-host", "[::1]",
                "--stats", "mon.example.com:9110", "80", "h1");
        assertEquals(java.util.List.of("stats.example.com", "lb1.", "[::1]"), o.statsHosts());
        assertEquals(java.util.List.of("stats.example.com", "lb1.", "[::1]", "mon.example.com"),
                ProxyConfig.statsHosts(o.stats(), o.statsHosts()));
        assertEquals(java.util.List.of(), ProxyConfig.statsHosts("0.0.0.0:9110", java.util.List.of()), "an address is no name");
        assertEquals(java.util.List.of(), ProxyConfig.statsHosts("[::]:9110", java.util.List.of()));
        assertEquals(java.util.List.of(), ProxyConfig.statsHosts("9110", java.util.List.of()));
        for (String bad : new String[] {"", "evil.example/x", "a b", "host:80", "user@host"}) {
            UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--stats-host", bad, "80", "h1"), bad);
            assertTrue(e.getMessage().startsWith("invalid --stats-host [" + bad + "]"), e.getMessage());
        }
    }

    @Test
    void aPortAloneIsLoopbackOnly() throws Exception {
        InetSocketAddress a = ProxyConfig.statsAddress("9110");
        assertEquals(InetAddress.getLoopbackAddress(), a.getAddress());
        assertEquals(9110, a.getPort());
        assertTrue(ProxyConfig.statsAddress("0.0.0.0:9110").getAddress().isAnyLocalAddress());
        assertEquals(InetAddress.getByName("::1"), ProxyConfig.statsAddress("[::1]:0").getAddress());
        assertEquals(0, ProxyConfig.statsAddress("127.0.0.1:0").getPort());
    }

    @Test
    void badValuesAreUsageErrors() {
        for (String bad : new String[] {"", "x", "65536", "127.0.0.1:", ":80", "::1:80", "1.2.3.4:-1", "1.2.3.4:99999"}) {
            UsageException e = assertThrows(UsageException.class, () -> ProxyConfig.statsAddress(bad), bad);
            assertEquals(ExitStatus.USAGE, e.exitStatus(), bad);
            assertTrue(e.getMessage().startsWith("invalid --stats [" + bad + "]"), e.getMessage());
        }
    }
}
