package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code balance} prints and returns for --help, --version and usage errors. */
class MainTest {
    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageOnStandardOutputAndExits0() {
        assertEquals(new Outcome(0, Usage.text(), ""), run("--help"));
        assertEquals(new Outcome(0, Usage.text(), ""), run("-f", "8888", "--help"));
        assertTrue(Usage.text().contains("--help") && Usage.text().contains("--version"), Usage.text());
    }

    @Test
    void versionPrintsTheVersionAndExits0() {
        assertEquals(new Outcome(0, "balance " + Usage.VERSION + "\n", ""), run("--version"));
    }

    @Test
    void everythingElseKeepsTheUsageErrorOnStandardErrorWithStatus64() {
        assertEquals(new Outcome(64, "", "invalid option -- 'h'\n" + Usage.text()), run("-h"));
        assertEquals(new Outcome(64, "", "unrecognized option '--helpme'\n" + Usage.text()), run("--helpme"));
        assertEquals(new Outcome(64, "", "invalid option -- 'x'\n" + Usage.text()), run("-x", "--help"));
        assertEquals(new Outcome(64, "", "missing port and channels\n" + Usage.text()), run());
    }
}
