package org.balance.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.balance.cli.CommandLine;
import org.balance.cli.ProxyConfig;
import org.balance.cli.UsageException;
import org.balance.proxyprotocol.ProxyProtocolConfig.Version;
import org.junit.jupiter.api.Test;

/** {@code --send-proxy[=SPEC]}, {@code --send-proxy-v2[=SPEC]} and {@code --accept-proxy} on the command line. */
class ProxyProtocolOptionsTest {

    private static ProxyProtocolConfig parse(String... args) throws Exception {
        return ProxyConfig.from(CommandLine.parse(args)).proxyProtocol();
    }

    @Test
    void withoutTheOptionsNothingChanges() throws Exception {
        ProxyProtocolConfig p = parse("8888", "127.0.0.1:1", "127.0.0.1:2");
        assertSame(ProxyProtocolConfig.NONE, p);
        assertTrue(p.isNone());
        assertEquals(Version.OFF, p.version(0, 0));
    }

    @Test
    void bareOptionsApplyToEveryChannel() throws Exception {
        ProxyProtocolConfig v1 = parse("--send-proxy", "8888", "127.0.0.1:1", "!", "127.0.0.1:2");
        assertEquals(Version.V1, v1.version(0, 0));
        assertEquals(Version.V1, v1.version(1, 0));
        assertFalse(v1.accept());
        ProxyProtocolConfig v2 = parse("--send-proxy-v2", "--accept-proxy", "8888", "127.0.0.1:1");
        assertEquals(Version.V2, v2.version(0, 0));
        assertTrue(v2.accept());
        assertTrue(parse("--accept-proxy", "8888", "127.0.0.1:1").accept());
    }

    @Test
    void scopedLikeCheckTheMostSpecificWins() throws Exception {
        ProxyProtocolConfig p = parse("--send-proxy", "--send-proxy-v2=group=1", "--send-proxy=channel=1.1:off",
                "--send-proxy-v2=channel=0.1",
                "8888", "127.0.0.1:1", "127.0.0.1:2", "!", "127.0.0.1:3", "127.0.0.1:4");
        assertEquals(Version.V1, p.version(0, 0));
        assertEquals(Version.V2, p.version(0, 1));
        assertEquals(Version.V2, p.version(1, 0));
        assertEquals(Version.OFF, p.version(1, 1));
        ProxyProtocolConfig onlyGroup = parse("--send-proxy=group=1", "8888", "127.0.0.1:1", "!", "127.0.0.1:3");
        assertEquals(Version.OFF, onlyGroup.version(0, 0));
        assertEquals(Version.V1, onlyGroup.version(1, 0));
    }

    @Test
    void badValuesAreUsageErrorsNamingTheValue() {
        assertMessage("invalid --send-proxy [group=7]: there is no group 7", "--send-proxy=group=7");
        assertMessage("invalid --send-proxy-v2 [channel=0.5]: there is no channel 0.5", "--send-proxy-v2=channel=0.5");
        assertMessage("invalid --send-proxy [group=x]: invalid group [x]: 0 to 31", "--send-proxy=group=x");
        assertMessage("invalid --send-proxy [channel=1]: invalid channel [1]: GROUP.CHANNEL, e.g. 0.1",
                "--send-proxy=channel=1");
        assertMessage("invalid --send-proxy [v2]: unknown key [v2]: group=G, channel=G.C or off", "--send-proxy=v2");
        assertMessage("invalid --send-proxy [off]: name group=G or channel=G.C (the bare option is for every channel)",
                "--send-proxy=off");
        assertMessage("invalid --send-proxy [group=0:channel=0.0]: [group] and [channel] both given",
                "--send-proxy=group=0:channel=0.0");
        assertMessage("two --send-proxy options for group 0", "--send-proxy=group=0", "--send-proxy-v2=group=0");
        assertMessage("option '--accept-proxy' doesn't allow an argument", "--accept-proxy=1");
    }

    private static void assertMessage(String message, String... options) {
        String[] args = new String[options.length + 2];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = "8888";
        args[options.length + 1] = "127.0.0.1:1";
        UsageException e = assertThrows(UsageException.class, () -> parse(args));
        assertEquals(message, e.getMessage());
        assertEquals(64, e.exitStatus());
    }
}
