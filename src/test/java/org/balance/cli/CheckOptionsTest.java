package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.balance.health.CheckAction.Command;
import org.balance.health.CheckAction.Connect;
import org.balance.health.CheckPlan;
import org.balance.health.Expect;
import org.balance.health.HealthConfig;
import org.junit.jupiter.api.Test;

/** {@code -m SPEC} (balance.fm), {@code --check[=SPEC]} and the long options, as far as the command line goes. */
class CheckOptionsTest {

    private static ProxyConfig config(String... args) throws Exception {
        return ProxyConfig.from(CommandLine.parse(args));
    }

    private static UsageException refused(String... args) {
        return assertThrows(UsageException.class, () -> config(args), String.join(" ", args));
    }

    @Test
    void withoutCheckOptionsNothingIsChecked() throws Exception {
        assertFalse(config("80", "127.0.0.1").health().isConfigured());
    }

    @Test
    void balanceFmsMonitoringOption() throws Exception {
        ProxyConfig c = config("-t", "3", "-m", "connect:timeout=0.4:command=/bin/checksvc %H %P:pass=0,2:interval=10",
                "5432", "127.0.0.1:5430", "127.0.0.2:5430");
        CheckPlan p = c.health().plan(0, 1);
        assertEquals(10_000, p.intervalMillis());
        assertEquals(400L, p.actions().get(0).timeoutMillis());
        assertEquals(3_000L, p.actions().get(1).timeoutMillis(), "-t is the default timeout");
        assertEquals("/bin/checksvc %H %P", ((Command) p.actions().get(1)).template());
        assertEquals(1, p.rise());
        assertEquals(1, p.fall());
        assertEquals(p, config("-t3", "-mconnect:timeout=0.4:command=/bin/checksvc %H %P:pass=0,2:interval=10",
                "5432", "127.0.0.1:5430", "127.0.0.2:5430").health().plan(0, 1), "attached, as getopt allows");
    }

    @Test
    void longOptionsWithHaproxysDefaults() throws Exception {
        CheckPlan p = config("--check", "80", "127.0.0.1").health().plan(0, 0);
        assertEquals(2_000, p.intervalMillis());
        assertEquals(2, p.rise());
        assertEquals(3, p.fall());
        assertEquals(List.of(new Connect(0, 2_000L, null, null)), p.actions());

        p = config("--check-interval", "0.5", "--check-timeout=300ms", "--check-rise", "4", "--check-fall=1",
                "--check-port", "6380", "--check-send", "PING\\r\\n", "--check-expect", "+PONG",
                "80", "127.0.0.1").health().plan(0, 0);
        assertEquals(500, p.intervalMillis());
        assertEquals(4, p.rise());
        assertEquals(1, p.fall());
        assertEquals(List.of(new Connect(6380, 300L, "PING\r\n", new Expect.Prefix("+PONG"))), p.actions(),
                "the long options alone turn checks on");

        p = config("--check-send=GET /health HTTP/1.0\\r\\nHost: a:b\\r\\n\\r\\n", "--check-expect-regex", "^HTTP/1\\.. 200",
                "80", "127.0.0.1").health().plan(0, 0);
        Connect http = (Connect) p.actions().get(0);
        assertEquals("GET /health HTTP/1.0\r\nHost: a:b\r\n\r\n", http.send(), "no spec syntax here: a colon is a colon");
        assertEquals("^HTTP/1\\.. 200", ((Expect.Match) http.expect()).pattern().pattern());
    }

    @Test
    void longOptionsChangeTheSpecOfEveryChannel() throws Exception {
        CheckPlan p = config("-m", "command=true", "--check-rise", "3", "--check-port", "9", "80", "127.0.0.1")
                .health().plan(0, 0);
        assertEquals(60_000, p.intervalMillis(), "still -m's defaults");
        assertEquals(3, p.rise());
        assertEquals(9, ((Connect) p.actions().get(0)).port(), "a connect is put first");
        assertTrue(p.actions().get(1) instanceof Command);
    }

    @Test
    void perGroupAndPerChannelSpecs() throws Exception {
        HealthConfig h = config("--check", "--check=group=1:send=PING\\r\\n:expect=+PONG", "-m", "channel=0.1:off",
                "80", "127.0.0.1", "127.0.0.2", "!", "127.0.0.3").health();
        assertEquals(List.of(new Connect(0, 2_000L, null, null)), h.plan(0, 0).actions());
        assertNull(h.plan(0, 1));
        assertEquals("PING\r\n", ((Connect) h.plan(1, 0).actions().get(0)).send());
        assertEquals(2_000, h.plan(1, 0).intervalMillis());
    }

    @Test
    void abbreviatedLongOptionsAsGetoptLongTakesThem() throws Exception {
        assertEquals(700, config("--check-int=0.7", "80", "127.0.0.1").health().plan(0, 0).intervalMillis());
        UsageException e = refused("--check-e=x", "80", "127.0.0.1");
        assertEquals("option '--check-e=x' is ambiguous; possibilities: '--check-expect' '--check-expect-regex'",
                e.getMessage());
    }

    @Test
    void mistakesAreUsageErrorsThatNameTheValue() {
        assertEquals("unrecognized option '--bogus'", refused("--bogus", "80", "127.0.0.1").getMessage());
        assertEquals("option '--check-rise' requires an argument", refused("80", "127.0.0.1", "--check-rise").getMessage());
        assertEquals("option requires an argument -- 'm'", refused("80", "127.0.0.1", "-m").getMessage());
        assertEquals("invalid check spec [connect:bogus]: unknown key [bogus]",
                refused("-m", "connect:bogus", "80", "127.0.0.1").getMessage());
        assertEquals("invalid --check-interval [0]: 0.01 to 86400, e.g. 2, 0.5 or 500ms",
                refused("--check-interval", "0", "80", "127.0.0.1").getMessage());
        assertEquals("invalid --check-fall [many]: 1 to 1000", refused("--check-fall=many", "80", "127.0.0.1").getMessage());
        assertEquals("invalid --check-port [http]: 1 to 65535", refused("--check-port=http", "80", "127.0.0.1").getMessage());
        assertEquals("invalid --check-expect-regex [(]: not a regular expression",
                refused("--check-expect-regex=(", "80", "127.0.0.1").getMessage());
        assertEquals("--check-expect and --check-expect-regex both given",
                refused("--check-expect=a", "--check-expect-regex=b", "80", "127.0.0.1").getMessage());
        assertEquals("invalid check spec [interval=1]: two check specs for every channel",
                refused("-m", "connect", "--check=interval=1", "80", "127.0.0.1").getMessage());
        assertEquals("invalid check spec [group=1:connect]: there is no group 1",
                refused("-m", "group=1:connect", "80", "127.0.0.1").getMessage());
        assertEquals("invalid check spec [channel=0.2:off]: there is no channel 0.2",
                refused("-m", "channel=0.2:off", "80", "127.0.0.1", "127.0.0.2").getMessage());
        for (UsageException e : List.of(refused("--bogus", "80", "h"), refused("-m", "x", "80", "127.0.0.1"))) {
            assertEquals(64, e.exitStatus());
            assertTrue(e.showUsage());
        }
    }

    @Test
    void controlModesAcceptAndIgnoreCheckOptions() throws Exception {
        Options o = CommandLine.parse("-m", "connect", "--check-rise=2", "-c", "show", "8888");
        assertEquals(Options.Mode.CONTROL_COMMAND, o.mode());
    }
}
