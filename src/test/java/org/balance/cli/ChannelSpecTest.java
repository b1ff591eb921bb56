package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChannelSpecTest {

    @Test
    void hostPortMaxc() throws Exception {
        assertEquals(new ChannelSpec("host1", null, 0), ChannelSpec.parse("host1"));
        assertEquals(new ChannelSpec("host1", "25", 0), ChannelSpec.parse("host1:25"));
        assertEquals(new ChannelSpec("host1", "smtp", 3), ChannelSpec.parse("host1:smtp:3"));
        assertEquals(new ChannelSpec("10.1.1.1", "8000", 0), ChannelSpec.parse("10.1.1.1:8000"));
    }

    @Test
    void emptyPortMeansListenPort() throws Exception {
        ChannelSpec s = ChannelSpec.parse("localhost::12");
        assertEquals("localhost", s.host());
        assertNull(s.port());
        assertEquals(12, s.maxConnections());
        assertNull(ChannelSpec.parse("localhost:").port());
    }

    @Test
    void ipv6InBracketsOrBare() throws Exception {
        assertEquals(new ChannelSpec("2001:db8::1", "80", 4), ChannelSpec.parse("[2001:db8::1]:80:4"));
        assertEquals(new ChannelSpec("::1", null, 2), ChannelSpec.parse("[::1]::2"));
        assertEquals(new ChannelSpec("::1", null, 0), ChannelSpec.parse("[::1]"));
        assertEquals(new ChannelSpec("2001:db8::1", null, 0), ChannelSpec.parse("2001:db8::1"));
        assertEquals(new ChannelSpec("::1", null, 0), ChannelSpec.parse("::1"));
    }

    @Test
    void aFourthFieldIsTheWeight() throws Exception {
        assertEquals(1, ChannelSpec.parse("host1:80:4").weight(), "1 unless given");
        assertEquals(new ChannelSpec("host1", "80", 4, 3), ChannelSpec.parse("host1:80:4:3"));
        assertEquals(new ChannelSpec("host1", null, 0, 5), ChannelSpec.parse("host1:::5"), "empty port and maxc");
        assertEquals(new ChannelSpec("2001:db8::1", "80", 0, 1000), ChannelSpec.parse("[2001:db8::1]:80::1000"));
        assertEquals(new ChannelSpec("host1", "80", 0, 0), ChannelSpec.parse("host1:80:0:0"), "0: no new sessions");
        UsageException e = assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:0:1001"));
        assertEquals(64, e.exitStatus());
        assertEquals("invalid weight [1001] in channel [h:80:0:1001]: 0 to 1000", e.getMessage());
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:0:x"));
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:0:-1"));
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:0:"));
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:0:1:2"));
    }

    @Test
    void badWords() {
        assertEquals(65, assertThrows(UsageException.class, () -> ChannelSpec.parse(":80")).exitStatus());
        assertEquals(65, assertThrows(UsageException.class, () -> ChannelSpec.parse("")).exitStatus());
        assertEquals(65, assertThrows(UsageException.class, () -> ChannelSpec.parse("[::1")).exitStatus());
        assertEquals(65, assertThrows(UsageException.class, () -> ChannelSpec.parse("[::1]x")).exitStatus());
        UsageException e = assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:x"));
        assertEquals(64, e.exitStatus());
        assertEquals("invalid maxc [x] in channel [h:80:x]", e.getMessage());
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:99999999999"));
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:80:-1"));
        assertThrows(UsageException.class, () -> ChannelSpec.parse("h:::"));
    }

    @Test
    void anIpv4AddressOrAHexLookingNameWithAllFourFieldsIsAChannelWithAWeightNotAnIpv6Address() throws Exception {
        ChannelSpec v4 = ChannelSpec.parse("127.0.0.1:8080:0:5");
        assertEquals("127.0.0.1", v4.host());
        assertEquals("8080", v4.port());
        assertEquals(5, v4.weight());
        ChannelSpec hexName = ChannelSpec.parse("cafe:80:4:2");
        assertEquals("cafe", hexName.host());
        assertEquals(4, hexName.maxConnections());
        assertEquals(2, hexName.weight());
        assertEquals("2001:db8::1", ChannelSpec.parse("2001:db8::1").host());
        assertEquals("::ffff:10.1.1.3", ChannelSpec.parse("::ffff:10.1.1.3").host());
        assertEquals("1:2:3:4:5:6:7:8", ChannelSpec.parse("1:2:3:4:5:6:7:8").host());
        assertEquals("1:2:3:4:5:6:10.0.0.1", ChannelSpec.parse("1:2:3:4:5:6:10.0.0.1").host());
    }
}
