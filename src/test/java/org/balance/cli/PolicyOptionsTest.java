package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.balance.policy.Cidr;
import org.balance.policy.PolicyConfig;
import org.junit.jupiter.api.Test;

/** {@code --source-limit}, {@code --allow}, {@code --deny} and {@code --log-sessions} on the command line. */
class PolicyOptionsTest {
    @Test
    void noneByDefault() throws Exception {
        assertEquals(PolicyConfig.NONE, CommandLine.parse("8888", "h1").policy());
        assertEquals(PolicyConfig.NONE, ProxyConfig.from(CommandLine.parse("8888", "127.0.0.1")).policy());
    }

    @Test
    void parsed() throws Exception {
        Options o = CommandLine.parse("--source-limit", "20", "--allow=10.0.0.0/8", "--allow", "::1", "--deny", "10.9.0.0/16",
                "--log-sessions", "8888", "127.0.0.1");
        PolicyConfig p = o.policy();
        assertEquals(20, p.sourceLimit());
        assertTrue(p.logSessions());
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")), p.access().allow());
        assertEquals(List.of(Cidr.parse("10.9.0.0/16")), p.access().deny());
        assertEquals(p, ProxyConfig.from(o).policy());
        assertEquals(5, CommandLine.parse("--so=5", "8888", "h").policy().sourceLimit(), "abbreviated");
        assertTrue(CommandLine.parse("--log", "8888", "h").policy().logSessions());
    }

    @Test
    void badValuesNameTheValueAndExit64() {
        for (String bad : List.of("0", "100001", "-1", "ten", "")) {
            UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--source-limit", bad, "8888", "h"));
            assertEquals(ExitStatus.USAGE, e.exitStatus());
            assertTrue(e.getMessage().contains("[" + bad + "]"), e.getMessage());
        }
        assertEquals(100_000, assertDoesNotThrow("100000"));
        for (String option : List.of("--allow", "--deny")) {
            UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse(option, "10.0.0.1/8", "8888", "h"));
            assertEquals(ExitStatus.USAGE, e.exitStatus());
            assertTrue(e.getMessage().startsWith("invalid " + option + " [10.0.0.1/8]"), e.getMessage());
            e = assertThrows(UsageException.class, () -> CommandLine.parse(option, "example.com", "8888", "h"));
            assertTrue(e.getMessage().contains("[example.com]"), e.getMessage());
        }
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--log-sessions=yes", "8888", "h"));
        assertEquals(ExitStatus.USAGE, e.exitStatus());
        assertFalse(e.getMessage().isEmpty());
        e = assertThrows(UsageException.class, () -> CommandLine.parse("--allow", "8888", "h"));
        assertTrue(e.getMessage().contains("[8888]"), e.getMessage());
    }

    private static int assertDoesNotThrow(String limit) {
        try {
            return CommandLine.parse("--source-limit", limit, "8888", "h").policy().sourceLimit();
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }
}
