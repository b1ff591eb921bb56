package org.balance.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret that the dashboard's changes need: made at start, written beside the control socket readable by
 * its owner only (mode 0600), and asked of every change in a request header, never a cookie, so that no other
 * web site can make a browser send it.
 */
final class Token {
    private final String value;
    private final Path file;

    private Token(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    /** A new random token written to {@code file} (replacing an old one of ours), mode 0600 from the start. */
    static Token create(Path file) throws IOException {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String value = HexFormat.of().formatHex(bytes);
        Path tmp = Files.createTempFile(file.getParent(), ".token", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Token(value, file);
    }

    /** Whether {@code given} (a request header's value, maybe null) is the token; in constant time. */
    boolean matches(String given) {
        return given != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII),
                given.trim().getBytes(StandardCharsets.US_ASCII));
    }

    Path file() {
        return file;
    }

    void remove() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the run directory went away: nothing left to remove
        }
    }
}
