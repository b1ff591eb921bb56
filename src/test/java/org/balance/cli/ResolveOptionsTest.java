package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@code --resolve SEC} and {@code --dns ADDR[:PORT]}. */
class ResolveOptionsTest {

    @Test
    void resolveTakesSecondsAsTheCheckOptionsFromOneToADay() throws Exception {
        assertEquals(30_000, CommandLine.parse("--resolve", "30", "80", "h1").resolveMillis());
        assertEquals(1_500, CommandLine.parse("--resolve=1.5", "80", "h1").resolveMillis());
        assertEquals(2_000, CommandLine.parse("--re", "2000ms", "80", "h1").resolveMillis(), "an abbreviation");
        assertEquals(0, CommandLine.parse("80", "h1").resolveMillis(), "off unless given");
        for (String bad : new String[] {"0", "0.5", "86401", "x", "-1", ""}) {
            UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--resolve", bad, "80", "h1"), bad);
            assertEquals(ExitStatus.USAGE, e.exitStatus());
            assertEquals("invalid --resolve [" + bad + "]: seconds from 1 to 86400, e.g. 30, 1.5 or 2000ms", e.getMessage());
        }
    }

    @Test
    void dnsTakesAnAddressAndAnOptionalPort() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5353),
                CommandLine.parse("--dns", "127.0.0.1:5353", "80", "h1").dns());
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 53),
                CommandLine.parse("--dns=192.0.2.1", "80", "h1").dns());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 5353), CommandLine.parse("--dns", "[::1]:5353", "80", "h1").dns());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 53), CommandLine.parse("--dns", "::1", "80", "h1").dns());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 53), CommandLine.parse("--dns", "[::1]", "80", "h1").dns());
        assertNull(CommandLine.parse("80", "h1").dns());
        for (String bad : new String[] {"ns1.example.com", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "256.1.1.1",
                "[::1", "[::1]x", "1.2.3", ""}) {
            UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--dns", bad, "80", "h1"), bad);
            assertEquals(ExitStatus.USAGE, e.exitStatus());
            assertEquals("invalid --dns [" + bad + "]: an IP address and optional port, e.g. 127.0.0.1:5353 or [::1]:53",
                    e.getMessage());
        }
        UsageException ambiguous = assertThrows(UsageException.class, () -> CommandLine.parse("--d", "5", "80", "h1"));
        assertEquals("option '--d' is ambiguous; possibilities: '--drain-timeout' '--dns' '--deny'", ambiguous.getMessage());
    }

    @Test
    void theConfigurationCarriesBoth() throws Exception {
        ProxyConfig c = ProxyConfig.from(CommandLine.parse("--resolve", "5", "80", "127.0.0.1"));
        assertEquals(5_000, c.resolveMillis());
        assertNull(c.dns());
    }
}
