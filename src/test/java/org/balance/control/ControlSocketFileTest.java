package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketFileTest {
    @TempDir
    Path temp;

    private static ServerSocketChannel listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void publishesAPrivateSocketAndRemovesIt() throws Exception {
        Path path = temp.resolve("balance.1.0.0.0.0");
        ControlSocketFile file = ControlSocketFile.prepare(path);
        assertEquals("rwx------", mode(file.bindPath().getParent()));
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
            assertEquals("rw-------", mode(path));
            assertFalse(Files.exists(file.bindPath().getParent()));
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertTrue(c.isConnected());
            }
            assertTrue(ControlSocketFile.isLive(path));
            assertTrue(file.remove());
            assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        }
        try (var files = Files.list(temp)) {
            assertEquals(0, files.count());
        }
    }

    /** The private directory's name is predictable: whatever someone planted under it is passed over, never used. */
    @Test
    void bindsInAFreshDirectoryWhateverWasPlantedUnderItsName() throws Exception {
        long pid = ProcessHandle.current().pid();
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        Files.createSymbolicLink(temp.resolve(".bal" + pid + ".0"), elsewhere);
        Files.createDirectory(temp.resolve(".bal" + pid + ".1"));
        Files.writeString(temp.resolve(".bal" + pid + ".2"), "");
        Path path = temp.resolve("balance.1.0.0.0.0");
        ControlSocketFile file = ControlSocketFile.prepare(path);
        assertEquals(temp.resolve(".bal" + pid + ".3"), file.bindPath().getParent());
        assertEquals("rwx------", mode(file.bindPath().getParent()));
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
            assertEquals("rw-------", mode(path));
            try (var planted = Files.list(elsewhere)) {
                assertEquals(0, planted.count());
            }
            assertTrue(file.remove());
        }
    }

    @Test
    void createsAMissingRunDirectoryWorldWritableAndSticky() throws Exception {
        Path run = temp.resolve("var/run/balance");
        ControlSocketFile file = ControlSocketFile.prepare(run.resolve("balance.1.0.0.0.0"));
        assertEquals(01777, (Integer) Files.getAttribute(run, "unix:mode") & 07777);
        file.remove();
    }

    @Test
    void aRunDirectoryThatCannotBeCreatedSaysHowToCreateIt() throws Exception {
        Path file = temp.resolve("file");
        Files.writeString(file, "not a directory");
        ControlSocketFile.NoRunDirectoryException e = assertThrows(ControlSocketFile.NoRunDirectoryException.class,
                () -> ControlSocketFile.prepare(file.resolve("run/balance.1.0.0.0.0")));
        assertTrue(e.getMessage().contains("mkdir -m 01777 " + file.resolve("run")), e.getMessage());
    }

    @Test
    void aLiveSocketIsNeverStolen() throws Exception {
        Path path = temp.resolve("balance.2.0.0.0.0");
        try (ServerSocketChannel other = listen(path)) {
            ControlSocketFile.InUseException e =
                    assertThrows(ControlSocketFile.InUseException.class, () -> ControlSocketFile.prepare(path));
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void staleSocketsAndOldFilesAreReplaced() throws Exception {
        Path path = temp.resolve("balance.3.0.0.0.0");
        listen(path).close(); // a dead instance's socket file stays behind
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
        assertFalse(ControlSocketFile.isLive(path));
        ControlSocketFile file = ControlSocketFile.prepare(path);
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
            assertTrue(ControlSocketFile.isLive(path));
            file.remove();
        }

        Files.writeString(path, "old rendezvous file");
        file = ControlSocketFile.prepare(path);
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
            assertTrue(ControlSocketFile.isLive(path));
            file.remove();
        }
    }

    @Test
    void aSymlinkAtThePathIsReplacedNotFollowed() throws Exception {
        Path target = temp.resolve("victim");
        Files.writeString(target, "keep");
        Path path = temp.resolve("balance.4.0.0.0.0");
        Files.createSymbolicLink(path, target);
        ControlSocketFile file = ControlSocketFile.prepare(path);
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
            assertFalse(Files.isSymbolicLink(path));
            assertEquals("keep", Files.readString(target));
            file.remove();
        }
        assertEquals("keep", Files.readString(target));
    }

    @Test
    void onlyOurOwnSocketIsRemoved() throws Exception {
        Path path = temp.resolve("balance.5.0.0.0.0");
        ControlSocketFile file = ControlSocketFile.prepare(path);
        try (ServerSocketChannel server = listen(file.bindPath())) {
            file.publish();
        }
        Files.delete(path);
        Files.writeString(path, "someone else's");
        assertTrue(file.remove());
        assertEquals("someone else's", Files.readString(path));
    }
}
