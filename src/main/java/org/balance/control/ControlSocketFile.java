package org.balance.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * Puts the control socket in place safely and takes it away again.
 *
 * <ol>
 *   <li>The run directory is created if missing, mode 01777 like the original's, so that users other than
 *       root can run instances; each socket in it is private to its owner.</li>
 *   <li>A socket already at the final path that accepts a connection belongs to a live instance: it is never
 *       stolen ({@link InUseException}). Anything else there, a stale socket of a dead instance or an old
 *       rendezvous file, is replaced.</li>
 *   <li>The server binds in a fresh private (0700) directory inside the run directory, the socket is made 0600,
 *       and then renamed into place: rename(2) replaces the target atomically and never follows a symlink
 *       planted there, and no one can connect before the permissions are set.</li>
 *   <li>On stop the socket is removed only if the file at the final path is still the one we put there.</li>
 * </ol>
 */
public final class ControlSocketFile {
    private final Path path;
    private final Path bindDirectory;
    private Object fileKey;

    private ControlSocketFile(Path path, Path bindDirectory) {
        this.path = path;
        this.bindDirectory = bindDirectory;
    }

    /** The run directory is missing and cannot be created. */
    public static final class NoRunDirectoryException extends IOException {
        NoRunDirectoryException(Path directory, IOException cause) {
            super("rendezvous directory " + directory + " not available and not creatable (" + describe(cause)
                    + "); create it with: mkdir -m 01777 " + directory + ", or set " + RunDirectory.ENV, cause);
        }

        private static String describe(IOException e) {
            String name = e.getClass().getSimpleName().replace("Exception", "");
            return e.getMessage() == null ? name : name + ": " + e.getMessage();
        }
    }

    /** A live instance already owns the socket path. */
    public static final class InUseException extends Exception {
        InUseException(Path path) {
            super("control socket " + path + " belongs to a running balance, exiting.", null, false, false);
        }
    }

    /**
     * Checks the final path and makes the private directory to bind in. {@link #bindPath()} is where the
     * server binds; then {@link #publish()} moves the socket into place.
     */
    public static ControlSocketFile prepare(Path path) throws IOException, InUseException {
        String reason = RunDirectory.unusableReason(path);
        if (reason != null) {
            throw new IOException(reason);
        }
        Path directory = Objects.requireNonNull(path.getParent(), "socket path has no directory");
        createRunDirectory(directory);
        if (isLive(path)) {
            throw new InUseException(path);
        }
        Path bindDirectory = createBindDirectory(directory);
        ControlSocketFile file = new ControlSocketFile(path, bindDirectory);
        String bindReason = RunDirectory.unusableReason(file.bindPath());
        if (bindReason != null) {
            file.removeBindDirectory();
            throw new IOException(bindReason);
        }
        return file;
    }

    /**
     * A new private directory named {@code .balPID.N}. Not {@code Files.createTempDirectory}: its random name
     * seeds a {@code SecureRandom}, ~25 ms of the start-up. A predictable name is safe here because mkdir(2)
     * never reuses what is there: a name someone else took (a directory, a file, a symlink) is skipped.
     */
    static Path createBindDirectory(Path directory) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int n = 0; ; n++) {
            try {
                return Files.createDirectory(directory.resolve(".bal" + pid + "." + n),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException taken) {
                if (n == 99) {
                    throw taken;
                }
            }
        }
    }

    private static void createRunDirectory(Path directory) throws NoRunDirectoryException {
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            Path parent = directory.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(directory);
                Files.setAttribute(directory, "unix:mode", 01777);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(directory)) {
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new NoRunDirectoryException(directory, e);
        }
    }

    /** True if a socket at {@code path} accepts a connection: some instance is serving it. */
    public static boolean isLive(Path path) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
        if (!attributes.isOther()) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            // refused: nobody listens there any more
            return false;
        }
    }

    /** Where the server binds before the socket is published. */
    public Path bindPath() {
        return bindDirectory.resolve("s");
    }

    public Path path() {
        return path;
    }

    /** Makes the bound socket 0600 and renames it into place, replacing whatever stale file was there. */
    public void publish() throws IOException {
        Path bound = bindPath();
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        Object key = Files.readAttributes(bound, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
        fileKey = key;
        removeBindDirectory();
    }

    /** Owner of the bound socket: the only user (besides root) allowed to control the instance. */
    public int ownerUid() throws IOException {
        Path file = fileKey == null ? bindPath() : path;
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** Removes the socket if the file at the path is still ours; returns false if that failed. */
    public boolean remove() {
        removeBindDirectory();
        if (fileKey == null) {
            return true;
        }
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey.equals(now)) {
                Files.delete(path);
            }
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            fileKey = null;
        }
    }

    private void removeBindDirectory() {
        try {
            Files.deleteIfExists(bindPath());
            Files.deleteIfExists(bindDirectory);
        } catch (IOException ignored) {
            // a leftover empty private directory is harmless
        }
    }
}
