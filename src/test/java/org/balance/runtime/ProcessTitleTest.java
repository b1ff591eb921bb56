package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTitleTest {
    @TempDir
    Path proc;

    /** A /proc/PID/stat line with the given name and argument area (fields 48 and 49). */
    private static String stat(String name, long argStart, long argEnd) {
        StringBuilder s = new StringBuilder("4242 (" + name + ") S");
        for (int field = 4; field <= 52; field++) {
            s.append(' ').append(field == 48 ? argStart : field == 49 ? argEnd : 7);
        }
        return s.append('\n').toString();
    }

    @Test
    void theArgumentAreaIsReadAfterTheNameEvenWithSpacesAndParenthesesInIt() {
        assertArrayEquals(new long[] {1000, 1057}, ProcessTitle.argumentArea(stat("java", 1000, 1057)));
        assertArrayEquals(new long[] {5, 9}, ProcessTitle.argumentArea(stat("a) (b c", 5, 9)));
        assertNull(ProcessTitle.argumentArea("4242 (java) S 1 2 3"), "an old kernel without the fields");
        assertNull(ProcessTitle.argumentArea(stat("java", 9, 5)));
        assertNull(ProcessTitle.argumentArea("garbage"));
    }

    @Test
    void theTitleIsTheWordsSeparatedByNulAndPaddedWithNul() {
        byte[] area = ProcessTitle.bytes("/opt/balance/balance", List.of("25", "smtp1"), 40);
        assertEquals(40, area.length);
        String expected = "/opt/balance/balance\u000025\u0000smtp1\u0000";
        assertEquals(expected, new String(area, 0, expected.length(), StandardCharsets.UTF_8));
        for (int i = expected.length(); i < area.length; i++) {
            assertEquals(0, area[i], "padding at " + i);
        }
    }

    @Test
    void aTitleLongerThanTheAreaKeepsTheWholeWordsThatFitAndEndsWithNul() {
        byte[] area = ProcessTitle.bytes("/b", List.of("25", "host1", "host2"), 12);
        assertEquals("/b\u000025\u0000host1\u0000", new String(area, StandardCharsets.UTF_8));
        byte[] tiny = ProcessTitle.bytes("/opt/balance/balance", List.of("25"), 6);
        assertEquals("/opt/\u0000", new String(tiny, StandardCharsets.UTF_8));
    }

    @Test
    void theProcessNameIsTheLastPartOfThePathCutTo15Bytes() {
        assertEquals("balance", ProcessTitle.name("/opt/balance/balance"));
        assertEquals("balance", ProcessTitle.name("balance"));
        assertEquals("a-very-long-nam", ProcessTitle.name("./a-very-long-name-indeed"));
        assertEquals("ééééééé", ProcessTitle.name("/x/éééééééé"));
    }

    @Test
    void setWritesTheAreaThroughMemAndTheName() throws Exception {
        Files.writeString(proc.resolve("stat"), stat("java", 100, 140));
        byte[] before = new byte[200];
        Arrays.fill(before, (byte) 'x');
        Files.write(proc.resolve("mem"), before);
        Files.writeString(proc.resolve("comm"), "java\n");

        assertNull(ProcessTitle.set(proc, "/opt/balance/balance", List.of("25", "h1")));

        byte[] after = Files.readAllBytes(proc.resolve("mem"));
        assertArrayEquals(ProcessTitle.bytes("/opt/balance/balance", List.of("25", "h1"), 40),
                Arrays.copyOfRange(after, 100, 140));
        assertEquals('x', after[99], "nothing before the area");
        assertEquals('x', after[140], "nothing after it (the environment)");
        assertEquals("balance", Files.readString(proc.resolve("comm")));
    }

    @Test
    void anythingMissingIsReportedNotThrown() throws Exception {
        assertNotNull(ProcessTitle.set(proc, "/opt/balance/balance", List.of("25")), "no stat");
        Files.writeString(proc.resolve("stat"), "4242 (java) S 1");
        assertNotNull(ProcessTitle.set(proc, "/opt/balance/balance", List.of("25")), "no area");
        Files.writeString(proc.resolve("stat"), stat("java", 100, 140));
        Files.createDirectory(proc.resolve("mem"));
        assertNotNull(ProcessTitle.set(proc, "/opt/balance/balance", List.of("25")), "mem not writable");
    }
}
