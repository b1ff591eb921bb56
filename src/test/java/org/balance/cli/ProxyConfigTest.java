package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.balance.balancing.GroupType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {

    private static ProxyConfig config(String... args) throws Exception {
        return ProxyConfig.from(CommandLine.parse(args));
    }

    @Test
    void manualPageSelfReferencingExample() throws Exception {
        ProxyConfig c = config("8888", "localhost::12", "!", "localhost::4", "!", "localhost::2", "localhost::2", "!", "localhost:25");
        assertEquals(8888, c.port());
        assertEquals(4, c.groups().size());
        assertEquals(12, c.groups().get(0).channels().get(0).maxConnections());
        assertEquals(8888, c.groups().get(0).channels().get(0).endpoint().port());
        assertEquals(2, c.groups().get(2).channels().size());
        assertEquals(25, c.groups().get(3).channels().get(0).endpoint().port());
        assertEquals("0.0.0.0", c.bindText());
    }

    @Test
    void separatorsSetTheTypeOfTheGroupBeforeThem() throws Exception {
        ProxyConfig c = config("80", "127.0.0.1", "127.0.0.2", "%", "127.0.0.3");
        assertEquals(GroupType.HASH, c.groups().get(0).type());
        assertEquals(GroupType.ROUND_ROBIN, c.groups().get(1).type());
        ProxyConfig trailing = config("80", "127.0.0.1", "127.0.0.2", "%");
        assertEquals(1, trailing.groups().size());
        assertEquals(GroupType.HASH, trailing.groups().get(0).type());
    }

    @Test
    void aMinusSeparatorEndsALeastConnectionsGroup() throws Exception {
        ProxyConfig c = config("80", "127.0.0.1", "127.0.0.2", "-", "127.0.0.3", "!", "127.0.0.4", "-");
        assertEquals(List.of(GroupType.LEAST_CONNECTIONS, GroupType.ROUND_ROBIN, GroupType.LEAST_CONNECTIONS),
                c.groups().stream().map(ProxyConfig.GroupConfig::type).toList());
        UsageException e = assertThrows(UsageException.class, () -> config("80", "-", "127.0.0.1"));
        assertEquals("no channels in group 0 before [-]", e.getMessage());
    }

    @Test
    void namedPortsAndMappedBind() throws Exception {
        ProxyConfig c = config("-b", "::ffff:127.0.0.1", "smtp", "127.0.0.1", "127.0.0.2:pop3");
        assertEquals(25, c.port());
        assertEquals("127.0.0.1", c.bindAddress().getHostAddress());
        assertEquals("::ffff:127.0.0.1", c.bindText());
        assertEquals(110, c.groups().get(0).channels().get(1).endpoint().port());
    }

    @Test
    void ipv6Backends() throws Exception {
        ProxyConfig c = config("80", "[::1]:8080:3", "::1");
        assertEquals("0:0:0:0:0:0:0:1", c.groups().get(0).channels().get(0).endpoint().addressText());
        assertEquals(8080, c.groups().get(0).channels().get(0).endpoint().port());
        assertEquals(80, c.groups().get(0).channels().get(1).endpoint().port());
    }

    @Test
    void errorsCarryTheOriginalsExitCodes() {
        UsageException port = assertThrows(UsageException.class, () -> config("nosuchservice", "h"));
        assertEquals("invalid port [nosuchservice], exiting.", port.getMessage());
        assertEquals(64, port.exitStatus());
        assertEquals(64, assertThrows(UsageException.class, () -> config("0", "h")).exitStatus());

        UsageException host = assertThrows(UsageException.class, () -> config("80", "no..such..host"));
        assertEquals("unknown or invalid address [no..such..host]", host.getMessage());
        assertEquals(65, host.exitStatus());
        assertEquals(65, assertThrows(UsageException.class, () -> config("-B", "bad..name", "80", "127.0.0.1")).exitStatus());
        assertEquals(65, assertThrows(UsageException.class, () -> config("-b", "bad..name", "80", "127.0.0.1")).exitStatus());

        UsageException empty = assertThrows(UsageException.class, () -> config("80", "!", "127.0.0.1"));
        assertTrue(empty.getMessage().startsWith("no channels in group"), empty.getMessage());
        assertEquals(64, empty.exitStatus());
        assertEquals(64, assertThrows(UsageException.class, () -> config("80", "127.0.0.1", "!", "!")).exitStatus());
        assertEquals(64, assertThrows(UsageException.class, () -> config("80", "127.0.0.1:99999")).exitStatus());
    }

    @Test
    void limits() throws Exception {
        String[] many = new String[2 + 64];
        many[0] = "80";
        for (int i = 1; i < many.length; i++) {
            many[i] = "127.0.0.1";
        }
        UsageException e = assertThrows(UsageException.class, () -> config(many));
        assertTrue(e.getMessage().contains("too many channels"), e.getMessage());
        String[] exactly64 = java.util.Arrays.copyOf(many, 65);
        assertEquals(64, config(exactly64).groups().get(0).channels().size());

        String[] groups = new String[1 + 2 * 32];
        groups[0] = "80";
        for (int i = 1; i < groups.length; i += 2) {
            groups[i] = "127.0.0.1";
            groups[i + 1] = "!";
        }
        assertTrue(assertThrows(UsageException.class, () -> config(groups)).getMessage().contains("too many groups"));
        String[] exactly32 = java.util.Arrays.copyOf(groups, groups.length - 1);
        assertEquals(32, config(exactly32).groups().size());
    }
}
