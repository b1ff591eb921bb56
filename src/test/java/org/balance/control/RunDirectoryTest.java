package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunDirectoryTest {

    @Test
    void namedLikeTheOriginalsRendezvousFile() {
        RunDirectory dir = RunDirectory.fromEnvironment(Map.of());
        assertEquals(Path.of("/var/run/balance/balance.8888.0.0.0.0"), dir.socketPath(8888, "0.0.0.0"));
        assertEquals(Path.of("/var/run/balance/balance.80.2001:DB8::1"), dir.socketPath(80, "2001:DB8::1"));
        assertEquals(Path.of("/var/run/balance/balance.25.localhost"), dir.socketPath(25, "localhost"));
    }

    @Test
    void theEnvironmentMovesIt() {
        assertEquals(Path.of("/tmp/x/balance.1.0.0.0.0"),
                RunDirectory.fromEnvironment(Map.of(RunDirectory.ENV, "/tmp/x")).socketPath(1, "0.0.0.0"));
        assertEquals(RunDirectory.DEFAULT, RunDirectory.fromEnvironment(Map.of(RunDirectory.ENV, "")).directory());
        assertEquals(Path.of("").toAbsolutePath().resolve("rel"),
                RunDirectory.fromEnvironment(Map.of(RunDirectory.ENV, "rel")).directory());
    }

    @Test
    void aBindTextThatCannotNameAFileIsRefused() {
        RunDirectory dir = new RunDirectory(Path.of("/run"));
        assertThrows(IllegalArgumentException.class, () -> dir.socketPath(1, "../../etc/x"));
        assertThrows(IllegalArgumentException.class, () -> dir.socketPath(1, ""));
    }

    @Test
    void pathsTooLongForAUnixSocketAreReported() {
        assertNull(RunDirectory.unusableReason(Path.of("/" + "a".repeat(106))));
        String reason = RunDirectory.unusableReason(Path.of("/" + "a".repeat(107)));
        assertNotNull(reason);
        assertEquals(true, reason.contains("107"));
    }
}
