package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.balance.cli.CommandLine;
import org.balance.cli.ExitStatus;
import org.balance.cli.Usage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manual page, {@code src/main/man/balance.1}, as {@code man -l} renders it: no warnings, and every option
 * of the usage text, every control command (from the command table: this test lives beside it), every exit
 * status and every section it must have. Needs man and groff (Debian: man-db, groff-base; .ci/run installs them).
 */
class ManPageTest {
    static final Path PAGE = Path.of("src/main/man/balance.1");
    private static String rendered;

    private record Run(int status, String out, String err) {
    }

    /** {@code man --warnings=w -l page}: every groff warning, plain text 80 columns wide. */
    static Run man(Path page) throws IOException, InterruptedException {
        File out = File.createTempFile("man", ".out");
        File err = File.createTempFile("man", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder("man", "--warnings=w", "-l", page.toString())
                    .redirectInput(new File("/dev/null")).redirectOutput(out).redirectError(err);
            pb.environment().put("MANWIDTH", "80");
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.environment().remove("MANPAGER");
            pb.environment().remove("PAGER");
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("man is needed to check the manual page (Debian: apt-get install man-db"
                        + " groff-base; .ci/run installs them): " + e.getMessage(), e);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("man -l " + page + " did not finish");
            }
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    @BeforeAll
    static void render() throws Exception {
        Run run = man(PAGE);
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err(), "man -l renders the page without warnings");
        // words hyphenated at the end of a line are joined again, so that the checks see them whole
        rendered = run.out().replaceAll("\u2010\n\\s*", "").replaceAll("(\\w)-\n\\s+", "$1-");
    }

    /** The text of the section {@code name}: from its heading to the next one. */
    private static String section(String name) {
        Matcher m = Pattern.compile("(?ms)^" + Pattern.quote(name) + "\n(.*?)(?=^\\S)").matcher(rendered);
        assertTrue(m.find(), "section " + name + " in\n" + rendered);
        return m.group(1);
    }

    @Test
    void theWarningCheckWorksHere(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.1");
        Files.writeString(bad, ".TH BAD 1\n.SH NAME\nbad \\- a page with an undefined macro\n.XY what\n");
        assertFalse(man(bad).err().isEmpty(), "man --warnings=w reports a bad page");
    }

    @Test
    void hasTheSectionsOfAManualPageAndThisVersion() {
        for (String name : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CHANNELS AND GROUPS",
                "CONTROL COMMANDS", "EXIT STATUS", "SIGNALS", "FILES", "ENVIRONMENT", "SYSTEMD SERVICE", "EXAMPLES",
                "DIFFERENCES FROM THE ORIGINAL")) {
            assertFalse(section(name).isBlank(), name);
        }
        assertTrue(rendered.contains("balance " + Usage.VERSION), "the version in the footer");
        // Justification may widen the spaces between words.
        assertTrue(section("CONTROL COMMANDS").replaceAll("\\s+", " ").contains("This is balance " + Usage.VERSION));
    }

    @Test
    void everyOptionOfTheUsageTextIsDescribed() {
        List<String> options = new ArrayList<>();
        Matcher letters = Pattern.compile("(?m)^ +(-\\S)\\s").matcher(Usage.text());
        while (letters.find()) {
            options.add(letters.group(1));
        }
        // every long option by its whole name (--check-interval), not the placeholder --check-OPTION
        Matcher longOptions = Pattern.compile("--[a-z0-9]+(?:-[a-z0-9]+)*").matcher(Usage.text());
        while (longOptions.find()) {
            if (!options.contains(longOptions.group())) {
                options.add(longOptions.group());
            }
        }
        assertTrue(options.size() >= 25, "options found in the usage text: " + options);
        assertTrue(options.containsAll(List.of("-m", "--check", "--check-interval", "--check-expect-regex", "--help")),
                options.toString());
        String described = section("OPTIONS");
        for (String option : options) {
            assertTrue(Pattern.compile("(?m)^ {7}" + Pattern.quote(option) + "(\\s|\\[|$)").matcher(described).find(),
                    option + " described in OPTIONS:\n" + described);
            assertTrue(section("SYNOPSIS").contains(option.length() == 2 ? option.substring(1) : option),
                    option + " in the synopsis");
        }
    }

    @Test
    void theSignalsAreDescribed() {
        String signals = section("SIGNALS");
        for (String signal : List.of("SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1")) {
            assertTrue(Pattern.compile("(?m)^ {7}" + signal + "(\\s|$)").matcher(signals).find(), signal + " in SIGNALS:\n" + signals);
        }
    }

    @Test
    void everyControlCommandIsDescribed() {
        String described = section("CONTROL COMMANDS");
        List<Command> commands = new CommandTable().commands();
        assertEquals(20, commands.size());
        for (Command c : commands) {
            assertTrue(Pattern.compile("(?m)^ {7}" + Pattern.quote(c.name()) + "(\\s|,|$)").matcher(described).find(),
                    c.name() + " described in CONTROL COMMANDS:\n" + described);
            for (String alias : c.aliases()) {
                assertTrue(Pattern.compile("(?m)^ {7}" + Pattern.quote(c.name()) + ", " + Pattern.quote(alias))
                        .matcher(described).find(), alias + " as another name of " + c.name());
            }
        }
    }

    @Test
    void everyExitStatusIsExplained() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (Field f : ExitStatus.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                statuses.add(f.getInt(null));
            }
        }
        statuses.add(ControlClient.NO_PERMISSION);
        String explained = section("EXIT STATUS");
        for (int status : statuses) {
            assertTrue(Pattern.compile("(?m)^ {7}" + status + "\\s").matcher(explained).find(),
                    status + " in EXIT STATUS:\n" + explained);
        }
    }

    @Test
    void everyExampleIsAValidCommandLine() throws Exception {
        // an example runs from "balance" at the tag's indent to its description, indented further; a long one
        // wraps onto lines at the tag's indent
        Matcher m = Pattern.compile("(?ms)^ {7}balance (.*?)\n {14}\\S").matcher(section("EXAMPLES"));
        int examples = 0;
        while (m.find()) {
            List<String> args = new ArrayList<>();
            Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(m.group(1).replaceAll("\\s+", " "));
            while (word.find()) {
                args.add(word.group(1) != null ? word.group(1) : word.group(2));
            }
            CommandLine.parse(args.toArray(String[]::new));
            examples++;
        }
        assertTrue(examples >= 20, "examples found: " + examples);
    }
}
