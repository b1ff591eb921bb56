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
        assertEquals("0.0.0.0:9110", CommandLine.parse("--st", "0.0.0.0:9110", "80", "h1").stats(), "an abbreviation");
        assertEquals(java.util.List.of("80", "h1"), CommandLine.parse("--stats", "9110", "80", "h1").operands());
        assertNull(CommandLine.parse("80", "h1").stats());
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("80", "h1", "--stats"));
        assertEquals("option '--stats' requires an argument", e.getMessage());
        assertEquals(Options.Mode.HELP, CommandLine.parse("--stats", "1", "--he").mode(), "--he is still --help");
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
