package org.balance.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.balance.stats.HostCheck.Verdict;
import org.junit.jupiter.api.Test;

/** The Host header rule of the statistics endpoint, with plain values: no socket, no name service. */
class HostCheckTest {
    private final HostCheck check = new HostCheck(List.of("Stats.Example.com.", "[2001:db8::5]", "203.0.113.9"));

    private Verdict verdict(String host, String local) throws Exception {
        return check.check(host == null ? null : List.of(host), "HTTP/1.1", InetAddress.getByName(local));
    }

    @Test
    void ownAddressLocalhostAndTheOperatorsNames() throws Exception {
        for (String host : List.of("127.0.0.1", "127.0.0.1:9110", "localhost", "LocalHost:9110", "localhost.",
                "stats.example.com", "STATS.EXAMPLE.COM:80", "stats.example.com.", "[2001:db8::5]:9110", "203.0.113.9")) {
            assertEquals(Verdict.ANSWER, verdict(host, "127.0.0.1"), host);
        }
        assertEquals(Verdict.ANSWER, verdict("[::1]:9110", "::1"));
        assertEquals(Verdict.ANSWER, verdict("[0:0:0:0:0:0:0:1]", "::1"), "the same address written otherwise");
        assertEquals(Verdict.ANSWER, verdict("192.168.1.5:9110", "192.168.1.5"), "the address a wildcard endpoint was reached on");
    }

    @Test
    void otherNamesAndAddressesAreMisdirected() throws Exception {
        for (String host : List.of("evil.example", "evil.example:9110", "127.0.0.2", "[::1]", "localhost.evil.example",
                "stats.example.com.evil.example", "evil-stats.example.com", "0x7f.1", "2130706433", "", ":9110")) {
            assertEquals(Verdict.MISDIRECTED, verdict(host, "127.0.0.1"), host);
        }
    }

    @Test
    void malformedOrMissingHostIsABadRequestButForHttp10() throws Exception {
        for (String host : List.of("localhost:x", "localhost:80:80", "[::1", "[::1]x", "localhost:123456")) {
            assertEquals(Verdict.BAD_REQUEST, verdict(host, "127.0.0.1"), host);
        }
        InetAddress local = InetAddress.getLoopbackAddress();
        assertEquals(Verdict.BAD_REQUEST, check.check(null, "HTTP/1.1", local), "HTTP/1.1 requires Host");
        assertEquals(Verdict.BAD_REQUEST, check.check(List.of("localhost", "evil.example"), "HTTP/1.1", local));
        assertEquals(Verdict.ANSWER, check.check(null, "HTTP/1.0", local), "no browser sends HTTP/1.0 without Host");
        assertEquals(Verdict.MISDIRECTED, check.check(List.of("evil.example"), "HTTP/1.0", local));
    }
}
