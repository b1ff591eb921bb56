package org.balance.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.balance.health.CheckAction.Command;
import org.balance.health.CheckAction.Connect;
import org.junit.jupiter.api.Test;

class CheckSpecTest {

    private static CheckSpec parse(String text) {
        try {
            return CheckSpec.parse(text);
        } catch (CheckSpec.SpecException e) {
            throw new AssertionError(text + ": " + e.getMessage(), e);
        }
    }

    private static String error(String text) {
        return assertThrows(CheckSpec.SpecException.class, () -> CheckSpec.parse(text), text).getMessage();
    }

    @Test
    void theBalanceFmManualPageExample() {
        CheckSpec s = parse("connect:timeout=0.4:command=/bin/checksvc -s %S -p %P >/dev/null:pass=0,2:interval=10");
        assertEquals(CheckSpec.Scope.INSTANCE, s.scope());
        assertEquals(2, s.actions().size());
        Connect connect = (Connect) s.actions().get(0);
        assertEquals(400L, connect.timeoutMillis());
        assertEquals(0, connect.port(), "the channel's own port");
        assertNull(connect.send());
        assertNull(connect.expect());
        Command command = (Command) s.actions().get(1);
        assertEquals("/bin/checksvc -s %S -p %P >/dev/null", command.template());
        assertEquals(Set.of(0, 2), command.pass());
        assertNull(command.timeoutMillis(), "no timeout of its own: the spec's");
        assertEquals(10_000L, s.intervalMillis());
        assertNull(s.rise());
        assertFalse(s.noEnable());
        assertFalse(s.noDisable());
    }

    @Test
    void backslashEscapesAColonAndTheUsualControlCharacters() {
        Command c = (Command) parse("command=test -e /a\\:b\\tc:pass=1").actions().get(0);
        assertEquals("test -e /a:b\tc", c.template());
        assertEquals(Set.of(1), c.pass());
        assertEquals(Set.of(0), ((Command) parse("command=true").actions().get(0)).pass(), "pass defaults to 0");
        Command back = (Command) parse("command=printf '%%s\\\\':interval=5").actions().get(0);
        assertEquals("printf '%%s\\'", back.template(), "an escaped backslash before a colon ends the value");
        assertEquals(5_000L, parse("command=printf '%%s\\\\':interval=5").intervalMillis());
    }

    @Test
    void sendAndExpectImplyAConnectAndTakeCEscapes() {
        CheckSpec s = parse("send=PING\\r\\n:expect=+PONG");
        Connect c = (Connect) s.actions().get(0);
        assertEquals(1, s.actions().size());
        assertEquals("PING\r\n", c.send());
        assertEquals(new Expect.Prefix("+PONG"), c.expect());

        Connect smtp = (Connect) parse("connect:port=2525:expect=220").actions().get(0);
        assertEquals(2525, smtp.port());
        assertNull(smtp.send());
        assertEquals(new Expect.Prefix("220"), smtp.expect());

        Connect binary = (Connect) parse("send=\\x00\\xff\\x41").actions().get(0);
        assertEquals("\u0000\u00ffA", binary.send(), "bytes as ISO-8859-1 characters");
        Connect utf8 = (Connect) parse("send=\u00e9").actions().get(0);
        assertEquals("\u00c3\u00a9", utf8.send(), "other characters are sent as UTF-8");
    }

    @Test
    void aRegexKeepsItsBackslashesOnlyTheColonIsUnescaped() {
        Connect c = (Connect) parse("send=GET /health HTTP/1.0\\r\\nHost\\: x\\r\\n\\r\\n:expect-regex=^HTTP/1\\.[01] 200\\b")
                .actions().get(0);
        assertEquals("GET /health HTTP/1.0\r\nHost: x\r\n\r\n", c.send());
        Expect.Match m = (Expect.Match) c.expect();
        assertEquals("^HTTP/1\\.[01] 200\\b", m.pattern().pattern());
        assertTrue(m.pattern().matcher("HTTP/1.1 200 OK").find());
        assertFalse(m.pattern().matcher("HTTP/1x1 200 OK").find());
    }

    @Test
    void timeoutBeforeAnyActionIsTheSpecsOwnAfterAnActionThatActionsAndTimesTakeUnits() {
        CheckSpec s = parse("timeout=2:connect:command=true:timeout=250ms");
        assertEquals(2_000L, s.timeoutMillis());
        assertNull(((Connect) s.actions().get(0)).timeoutMillis());
        assertEquals(250L, ((Command) s.actions().get(1)).timeoutMillis());
        assertEquals(1_500L, parse("interval=1.5s").intervalMillis());
        assertEquals(200L, parse("interval=0.2").intervalMillis());
    }

    @Test
    void globalOptions() {
        CheckSpec s = parse("connect:noenable:nodisable:rise=4:fall=5");
        assertTrue(s.noEnable());
        assertTrue(s.noDisable());
        assertEquals(4, s.rise());
        assertEquals(5, s.fall());
        assertTrue(parse("channel=0.1:off").off());
    }

    @Test
    void scopes() {
        assertEquals(new CheckSpec.Scope(1, -1), parse("group=1:port=8080").scope());
        assertEquals(new CheckSpec.Scope(0, 2), parse("channel=0.2:connect").scope());
        assertEquals(List.of(), parse("group=3:interval=5").actions(), "no action: inherited or connect, decided later");
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("empty check spec", error(""));
        assertEquals("unknown key [bogus]", error("connect:bogus"));
        assertEquals("[connect] takes no value", error("connect=1"));
        assertEquals("[noenable] takes no value", error("noenable=1"));
        assertEquals("[command] needs a value", error("command"));
        assertEquals("[command] needs a value", error("command="));
        assertEquals("[pass] needs a command before it", error("connect:pass=0"));
        assertEquals("invalid exit codes [0,x]", error("command=true:pass=0,x"));
        assertEquals("invalid exit codes [256]", error("command=true:pass=256"));
        assertEquals("invalid seconds [0]: 0.01 to 86400, e.g. 2, 0.5 or 500ms", error("interval=0"));
        assertEquals("invalid seconds [-1]: 0.01 to 86400, e.g. 2, 0.5 or 500ms", error("connect:timeout=-1"));
        assertEquals("invalid seconds [abc]: 0.01 to 86400, e.g. 2, 0.5 or 500ms", error("interval=abc"));
        assertEquals("invalid seconds [0.001]: 0.01 to 86400, e.g. 2, 0.5 or 500ms", error("interval=0.001"));
        assertEquals("invalid count [0] for rise: 1 to 1000", error("rise=0"));
        assertEquals("invalid count [x] for fall: 1 to 1000", error("fall=x"));
        assertEquals("invalid port [0] for port", error("port=0"));
        assertEquals("[send] belongs to a connect, not to a command", error("command=true:send=x"));
        assertEquals("[port] belongs to a connect, not to a command", error("command=true:port=1"));
        assertEquals("a connect expects one reply: [expect] or [expect-regex]", error("expect=a:expect-regex=b"));
        assertEquals("invalid regular expression [(]", error("expect-regex=("));
        assertEquals("invalid group [32]: 0 to 31", error("group=32"));
        assertEquals("invalid channel [1]: GROUP.CHANNEL, e.g. 0.1", error("channel=1"));
        assertEquals("[group] and [channel] both given", error("group=1:channel=1.0"));
        assertEquals("[off] stands alone (with group= or channel=)", error("connect:off"));
    }
}
