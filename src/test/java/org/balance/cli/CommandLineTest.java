package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void clusteredFlagsAndAttachedValues() throws Exception {
        Options o = CommandLine.parse("-fpadHM6", "-t3", "-T", "9", "-b", "::1", "-B127.0.0.2", "8888", "h1", "!", "h2");
        assertTrue(o.foreground() && o.packetDump() && o.autodisable() && o.debug() && o.hashFailover());
        assertTrue(o.memoryMap() && o.ipv6());
        assertEquals(3, o.connectTimeoutSeconds());
        assertEquals(9, o.idleTimeoutSeconds());
        assertEquals("::1", o.bindAddress());
        assertEquals("127.0.0.2", o.sourceAddress());
        assertEquals("8888", o.port());
        assertEquals(List.of("h1", "!", "h2"), o.channelWords());
        assertEquals(Options.Mode.PROXY, o.mode());
    }

    @Test
    void drainTimeoutAndWarmupTakeSecondsAsTheCheckOptionsDo() throws Exception {
        Options o = CommandLine.parse("--drain-timeout", "30", "--warmup=2.5", "8888", "h1");
        assertEquals(30_000, o.drainTimeoutMillis());
        assertEquals(2_500, o.warmupMillis());
        assertEquals(Options.DRAIN_FOREVER, CommandLine.parse("8888", "h1").drainTimeoutMillis());
        assertEquals(0, CommandLine.parse("8888", "h1").warmupMillis());
        UsageException bad = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> CommandLine.parse("--warmup", "soon", "8888", "h1"));
        assertTrue(bad.getMessage().startsWith("invalid --warmup [soon]"), bad.getMessage());
    }

    @Test
    void defaults() throws Exception {
        Options o = CommandLine.parse("smtp", "host1", "host2");
        assertEquals(5, o.connectTimeoutSeconds());
        assertEquals(0, o.idleTimeoutSeconds());
        assertFalse(o.foreground());
        assertNull(o.bindAddress());
    }

    @Test
    void optionsMayFollowOperandsLikeGnuGetopt() throws Exception {
        Options o = CommandLine.parse("8888", "h1", "-f", "%", "h2");
        assertTrue(o.foreground());
        assertEquals(List.of("8888", "h1", "%", "h2"), o.operands());
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        Options o = CommandLine.parse("-f", "--", "8888", "h1");
        assertEquals(List.of("8888", "h1"), o.operands());
    }

    @Test
    void controlModes() throws Exception {
        assertEquals(Options.Mode.CONTROL_SHELL, CommandLine.parse("-i", "8888").mode());
        Options c = CommandLine.parse("-b", "127.0.0.1", "-c", "disable 1", "8888");
        assertEquals(Options.Mode.CONTROL_COMMAND, c.mode());
        assertEquals("disable 1", c.command());
        assertEquals("127.0.0.1", c.bindAddress());
    }

    @Test
    void usageErrorsExit64AndNameTheValue() {
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("-x", "8888", "h"));
        assertEquals(64, e.exitStatus());
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertTrue(e.showUsage());

        e = assertThrows(UsageException.class, () -> CommandLine.parse("-t", "0", "8888", "h"));
        assertEquals(64, e.exitStatus());
        assertTrue(e.getMessage().contains("[0]"));
        assertThrows(UsageException.class, () -> CommandLine.parse("-t", "abc", "8888", "h"));
        assertThrows(UsageException.class, () -> CommandLine.parse("-T", "-1", "8888", "h"));
        assertThrows(UsageException.class, () -> CommandLine.parse("-t", "99999999999999", "8888", "h"));
        assertThrows(UsageException.class, () -> CommandLine.parse("8888", "h", "-t"));
        assertThrows(UsageException.class, () -> CommandLine.parse("8888"));
        assertThrows(UsageException.class, () -> CommandLine.parse());
        assertThrows(UsageException.class, () -> CommandLine.parse("-i"));
        assertThrows(UsageException.class, () -> CommandLine.parse("-i", "8888", "extra"));
    }

    @Test
    void helpAndVersionAreLongOptionsAsGetoptLongParsesThem() throws Exception {
        assertEquals(Options.Mode.HELP, CommandLine.parse("--help").mode());
        assertEquals(Options.Mode.VERSION, CommandLine.parse("--version").mode());
        assertEquals(Options.Mode.HELP, CommandLine.parse("--he").mode(), "an unambiguous prefix");
        assertEquals(Options.Mode.VERSION, CommandLine.parse("--v").mode());
        assertEquals(Options.Mode.HELP, CommandLine.parse("8888", "h1", "--help").mode(), "anywhere before --");
        assertEquals(Options.Mode.HELP, CommandLine.parse("--help", "-x").mode(), "the first option decides");
        assertEquals(Options.Mode.VERSION, CommandLine.parse("-f", "--version", "--help").mode());
        assertEquals(List.of("8888", "--help"), CommandLine.parse("-f", "--", "8888", "--help").operands(),
                "after -- it is an operand");

        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("-x", "--help"));
        assertEquals("invalid option -- 'x'", e.getMessage());
        e = assertThrows(UsageException.class, () -> CommandLine.parse("--foo", "8888", "h1"));
        assertEquals("unrecognized option '--foo'", e.getMessage());
        assertEquals(64, e.exitStatus());
        assertTrue(e.showUsage());
        e = assertThrows(UsageException.class, () -> CommandLine.parse("--help=yes"));
        assertEquals("option '--help' doesn't allow an argument", e.getMessage());
        assertEquals(64, e.exitStatus());
    }

    @Test
    void hashSchemeIsALongOptionWithAValue() throws Exception {
        assertEquals(org.balance.balancing.HashScheme.CLASSIC, CommandLine.parse("8888", "h1").hashScheme(), "the default");
        assertEquals(org.balance.balancing.HashScheme.MAGLEV, CommandLine.parse("--hash", "maglev", "8888", "h1").hashScheme());
        assertEquals(org.balance.balancing.HashScheme.MAGLEV, CommandLine.parse("--hash=maglev", "8888", "h1").hashScheme());
        assertEquals(org.balance.balancing.HashScheme.MAGLEV, CommandLine.parse("--ha", "maglev", "8888", "h1").hashScheme(),
                "an unambiguous prefix");
        assertEquals(org.balance.balancing.HashScheme.CLASSIC,
                CommandLine.parse("--hash", "maglev", "--hash", "classic", "8888", "h1").hashScheme(), "the last one counts");
        assertEquals(Options.Mode.HELP, CommandLine.parse("--he").mode(), "--he is still --help");
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--hash", "ring", "8888", "h1"));
        assertEquals("invalid --hash [ring]: classic or maglev", e.getMessage());
        assertEquals(64, e.exitStatus());
        e = assertThrows(UsageException.class, () -> CommandLine.parse("8888", "h1", "--hash"));
        assertEquals("option '--hash' requires an argument", e.getMessage());
        e = assertThrows(UsageException.class, () -> CommandLine.parse("--h", "8888", "h1"));
        assertEquals("option '--h' is ambiguous; possibilities: '--help' '--hash'", e.getMessage(), "as getopt_long says it");
    }

    @Test
    void helpAndVersionAmongTheHealthCheckOptions() throws Exception {
        assertEquals(Options.Mode.HELP, CommandLine.parse("--check", "--check-rise", "4", "--help").mode());
        assertEquals(Options.Mode.VERSION, CommandLine.parse("-m", "connect", "--ver", "8888").mode());
        Options o = CommandLine.parse("--check-send", "--help", "8888", "h1");
        assertEquals(Options.Mode.PROXY, o.mode(), "a long option's value is the next word, whatever it reads");
        assertEquals(List.of(new CheckOptions.Given("check-send", "--help")), o.checks());
        assertEquals(List.of(), CommandLine.parse("--help").checks());
        UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse("--bogus", "--help"));
        assertEquals("unrecognized option '--bogus'", e.getMessage(), "the first bad option decides");
    }
}
