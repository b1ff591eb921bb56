package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.balance.cli.ConfigFile.Entry;
import org.balance.cli.ConfigFile.Line;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    private static final String FILE = "/etc/balance/test.conf";

    @TempDir
    Path dir;

    private static List<Line> lines(String text) throws UsageException {
        return ConfigFile.lines(text, FILE);
    }

    private static Line line(int number, String... words) {
        return new Line(number, List.of(words));
    }

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("test.conf"), text);
    }

    private UsageException refused(String text) throws Exception {
        Path file = file(text);
        return assertThrows(UsageException.class, () -> ConfigFile.load(file));
    }

    @Test
    void theServiceScriptExampleGivesTwoCommandLines() throws Exception {
        String text = "# balance@test: two proxies\n"
                + "8001 127.0.0.1:9001 127.0.0.1:9002   # round robin over two\n"
                + "\n"
                + "   #8001 127.0.0.1:9001\n"
                + "-t 3 \\\n"
                + "    8002 '127.0.0.1:9003'\n";
        assertEquals(List.of(line(2, "8001", "127.0.0.1:9001", "127.0.0.1:9002"),
                line(5, "-t", "3", "8002", "127.0.0.1:9003")), lines(text));

        List<Entry> entries = ConfigFile.load(file(text));
        assertEquals(2, entries.size());
        assertEquals(2, entries.get(0).line());
        assertEquals(List.of("8001", "127.0.0.1:9001", "127.0.0.1:9002"), entries.get(0).words());
        assertEquals(8001, entries.get(0).config().port());
        assertEquals(2, entries.get(0).config().groups().get(0).channels().size());
        assertEquals(5, entries.get(1).line());
        assertEquals(8002, entries.get(1).config().port());
        assertEquals(3, entries.get(1).config().connectTimeoutSeconds());
    }

    @Test
    void quotesAndBackslashesAsXargsReadsThem() throws Exception {
        assertEquals(List.of(line(1, "a b", "c d", "#", "e f", "x'y", "\"", "a\\b")),
                lines("'a b' \"c d\" '#' e\\ f x\\'y '\"' 'a\\b'\n"));
        assertEquals(List.of(line(1, "ab cd", "", "z")), lines("a\"b c\"d '' z"), "quotes inside a word, an empty word");
        assertEquals(List.of(line(1, "a", "b")), lines("\ta\t\t b  \r"), "tabs separate, white space at the ends goes");
        assertEquals(List.of(line(1, "80\r")), lines("80\r\n"), "a \\r ends no word: CRLF files fail as in the script");
    }

    @Test
    void aHashCommentsOutOnlyAtTheStartOfAWord() throws Exception {
        assertEquals(List.of(line(1, "a#b", "c")), lines("a#b c #d e\n"));
        assertEquals(List.of(line(2, "x")), lines("#a b\nx\t# y\n"));
        assertEquals(List.of(line(1, "a", "# quoted", "b#")), lines("a '# quoted' b\\#\n"));
        UsageException e = assertThrows(UsageException.class, () -> lines("80 'a #b'\n"));
        assertEquals(FILE + ":1: unterminated single quote", e.getMessage(),
                "like the script's sed, a # after a blank cuts the line even inside quotes");
    }

    @Test
    void aBackslashAtTheEndContinuesTheLineNumberedByItsFirstLine() throws Exception {
        assertEquals(List.of(line(2, "-t", "3", "80", "127.0.0.1"), line(6, "81", "127.0.0.2")),
                lines("\n-t 3\\\n  80 \\\n127.0.0.1\n\n81 127.0.0.2 \\"));
        assertEquals(List.of(line(2, "-d", "80", "127.0.0.1")), lines("\\\n-d \\ # why\n80 127.0.0.1\n"),
                "an empty first line does not count; a comment goes before the backslash is looked at");
        assertEquals(List.of(line(1, "-d"), line(3, "80")), lines("-d \\\n# a comment line ends the command line\n80\n"));
        assertEquals(List.of(line(1, "a b")), lines("'a\\\nb'\n"), "a quote goes on over the joined lines");
    }

    @Test
    void anUnterminatedQuoteNamesFileAndLine() {
        UsageException single = assertThrows(UsageException.class, () -> lines("80 127.0.0.1\n\n81 '127.0.0.2\n"));
        assertEquals(FILE + ":3: unterminated single quote", single.getMessage());
        assertEquals(ExitStatus.USAGE, single.exitStatus());
        assertFalse(single.showUsage());
        UsageException dbl = assertThrows(UsageException.class, () -> lines("-d \\\n80 \"127.0.0.1\n"));
        assertEquals(FILE + ":1: unterminated double quote", dbl.getMessage());
    }

    @Test
    void aFileThatCannotBeReadIs66() throws Exception {
        Path missing = dir.resolve("missing.conf");
        UsageException e = assertThrows(UsageException.class, () -> ConfigFile.load(missing));
        assertEquals(ExitStatus.NO_INPUT, e.exitStatus());
        assertEquals("cannot read " + missing + ": no such file", e.getMessage());

        UsageException directory = assertThrows(UsageException.class, () -> ConfigFile.load(dir));
        assertEquals(ExitStatus.NO_INPUT, directory.exitStatus());
        assertEquals("cannot read " + dir + ": is a directory", directory.getMessage());
    }

    @Test
    void aFileWithoutPermissionIs66() throws Exception {
        Path locked = file("80 127.0.0.1\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(locked), "root reads anything");
        UsageException denied = assertThrows(UsageException.class, () -> ConfigFile.load(locked));
        assertEquals(ExitStatus.NO_INPUT, denied.exitStatus());
        assertEquals("cannot read " + locked + ": permission denied", denied.getMessage());
    }

    @Test
    void aFileWithoutCommandLineIs64() throws Exception {
        for (String text : List.of("", "\n\n", "# nothing yet\n   # still nothing\n \t\n", "\\\n")) {
            UsageException e = refused(text);
            assertEquals(ExitStatus.USAGE, e.exitStatus());
            assertEquals(dir.resolve("test.conf") + ": no command line", e.getMessage());
        }
    }

    @Test
    void aBadLineKeepsItsStatusWithFileAndLineBeforeItsMessage() throws Exception {
        String name = dir.resolve("test.conf").toString();
        UsageException port = refused("80 127.0.0.1\n# a comment\n80abc 127.0.0.1\n");
        assertEquals(ExitStatus.USAGE, port.exitStatus());
        assertEquals(name + ":3: invalid port [80abc], exiting.", port.getMessage());
        assertFalse(port.showUsage());

        UsageException host = refused("\n80 127.0.0.1 backend.invalid\n");
        assertEquals(ExitStatus.DATA_ERROR, host.exitStatus());
        assertEquals(name + ":2: unknown or invalid address [backend.invalid]", host.getMessage());

        UsageException usage = refused("80\n");
        assertEquals(ExitStatus.USAGE, usage.exitStatus());
        assertEquals(name + ":1: at least one channel must be specified", usage.getMessage());
        assertFalse(usage.showUsage(), "no usage text for a line of the file");
    }

    @Test
    void twoLinesOnOnePortAndBindAreRefused() throws Exception {
        String name = dir.resolve("test.conf").toString();
        UsageException e = refused("80 127.0.0.1\n-b 127.0.0.1 80 127.0.0.2\n\n-d 80 127.0.0.3\n");
        assertEquals(ExitStatus.USAGE, e.exitStatus());
        assertEquals(name + ":4: port 80 (bind 0.0.0.0) is already served by line 1", e.getMessage());

        List<Entry> entries = ConfigFile.load(file("80 127.0.0.1\n-b 127.0.0.1 80 127.0.0.2\n81 127.0.0.3\n"));
        assertEquals(List.of(1, 2, 3), entries.stream().map(Entry::line).toList(), "another bind or port is fine");
    }

    @Test
    void theFileHoldsProxiesOnly() throws Exception {
        String name = dir.resolve("test.conf").toString();
        UsageException control = refused("80 127.0.0.1\n-c show 80\n");
        assertEquals(ExitStatus.USAGE, control.exitStatus());
        assertEquals(name + ":2: [-c show] is not a proxy: the file holds proxies only", control.getMessage());
        assertEquals(name + ":1: [-i] is not a proxy: the file holds proxies only", refused("-i 80\n").getMessage());
        assertEquals(name + ":1: [--help] is not a proxy: the file holds proxies only", refused("--help\n").getMessage());
        assertEquals(ExitStatus.USAGE, refused("80 127.0.0.1 --version\n").exitStatus());
    }

    @Test
    void minusFIsAcceptedAndTheWordsStayAsWritten() throws Exception {
        List<Entry> entries = ConfigFile.load(file("-f 80 127.0.0.1\n-df 81 127.0.0.1\n82 127.0.0.1\n"));
        assertEquals(List.of("-f", "80", "127.0.0.1"), entries.get(0).words());
        assertEquals(List.of("-df", "81", "127.0.0.1"), entries.get(1).words());
        assertTrue(entries.get(1).config().debug());
        assertEquals(3, entries.size());
    }
}
