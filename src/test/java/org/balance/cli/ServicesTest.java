package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesTest {

    @Test
    void numbersAndNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("services");
        Files.writeString(file, """
                # comment
                smtp\t\t25/tcp\t\tmail
                domain\t\t53/udp
                imap2\t\t143/tcp\t\timap\t\t# Interim Mail Access P 2 and 4
                """);
        assertEquals(25, Services.port("smtp", file));
        assertEquals(25, Services.port("mail", file));
        assertEquals(143, Services.port("imap", file));
        assertEquals(-1, Services.port("domain", file));
        assertEquals(-1, Services.port("nosuch", file));
        assertEquals(8888, Services.port("8888", file));
        assertEquals(65535, Services.port("65535", file));
        assertEquals(-1, Services.port("0", file));
        assertEquals(-1, Services.port("65536", file));
        assertEquals(-1, Services.port("8888x", file));
        assertEquals(-1, Services.port("", file));
        assertEquals(-1, Services.port("-1", file));
    }
}
