package org.balance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.NetUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static byte[] ip(String s) {
        return NetUtil.createByteArrayFromIpAddressString(s);
    }

    @Test
    void ipv4Blocks() {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertTrue(c.contains(ip("10.1.0.0")));
        assertTrue(c.contains(ip("10.1.255.255")));
        assertFalse(c.contains(ip("10.2.0.1")));
        assertFalse(c.contains(ip("::1")));
        assertFalse(c.contains(new byte[0]));
        Cidr odd = Cidr.parse("192.168.1.128/25");
        assertTrue(odd.contains(ip("192.168.1.200")));
        assertFalse(odd.contains(ip("192.168.1.127")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
    }

    @Test
    void bareAddressesAreHosts() {
        assertTrue(Cidr.parse("127.0.0.2").contains(ip("127.0.0.2")));
        assertFalse(Cidr.parse("127.0.0.2").contains(ip("127.0.0.3")));
        assertTrue(Cidr.parse("::1").contains(ip("::1")));
        assertFalse(Cidr.parse("::1").contains(ip("::2")));
    }

    @Test
    void ipv6Blocks() {
        Cidr c = Cidr.parse("2001:db8::/32");
        assertTrue(c.contains(ip("2001:db8:ffff::1")));
        assertFalse(c.contains(ip("2001:db9::1")));
        assertFalse(c.contains(ip("10.0.0.1")));
        assertTrue(Cidr.parse("[2001:db8::]/48").contains(ip("2001:db8:0:1::")));
    }

    @Test
    void ipv4MappedClientsMatchIpv4Rules() {
        assertTrue(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:10.9.8.7")));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:11.9.8.7")));
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertTrue(mapped.contains(ip("10.1.2.3")));
        assertTrue(mapped.contains(ip("::ffff:10.1.2.3")));
        assertEquals(Cidr.parse("10.0.0.0/8"), mapped);
    }

    @Test
    void badBlocksSayWhy() {
        for (String bad : List.of("", "10.0.0", "10.0.0.0/33", "::/129", "10.0.0.1/8", "host.example", "10.0.0.0/",
                "10.0.0.0/x", "::ffff:10.0.0.0/80", "fe80::1%eth0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertFalse(e.getMessage().isEmpty());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8")).getMessage()
                .contains("10.0.0.0/8"));
    }

    @Test
    void lists() {
        AccessList open = AccessList.OPEN;
        assertTrue(open.permits(ip("1.2.3.4")));
        AccessList deny = new AccessList(List.of(), List.of(Cidr.parse("127.0.0.3")));
        assertFalse(deny.permits(ip("127.0.0.3")));
        assertTrue(deny.permits(ip("127.0.0.2")));
        AccessList allow = new AccessList(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1")),
                List.of(Cidr.parse("127.0.0.3")));
        assertTrue(allow.permits(ip("127.0.0.2")));
        assertTrue(allow.permits(ip("::1")));
        assertFalse(allow.permits(ip("127.0.0.3")), "deny wins");
        assertFalse(allow.permits(ip("10.0.0.1")), "with an allow, only those");
        assertFalse(allow.permits(new byte[0]), "no address, not allowed");
        assertTrue(allow.permits(ip("::ffff:127.0.0.9")));
    }
}
