package org.balance.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/**
 * The bytes integrity tests send: a fixed random block of a prime length repeated, so that every offset of the
 * stream has a known value. Senders and receivers digest what they move (SHA-256) and receivers also check each
 * byte against its offset, which tells a lost, duplicated or reordered chunk from a cut-off tail.
 */
public final class Payload {
    private static final int PERIOD = 1_000_003;
    private static final byte[] BLOCK = new byte[PERIOD + 65_536];

    static {
        byte[] random = new byte[PERIOD];
        new Random(20261122).nextBytes(random);
        System.arraycopy(random, 0, BLOCK, 0, PERIOD);
        System.arraycopy(random, 0, BLOCK, PERIOD, 65_536);
    }

    private Payload() {
    }

    /** What one side received: length, digest, whether every byte was the stream's byte at its offset, how it ended. */
    public record Received(long length, String sha256, boolean inOrder, String endedBy) {
    }

    /** How a reader paces itself; {@link #SLOW} builds backpressure towards it in a proxy in front of it. */
    public enum Pace {
        FAST(0, 0),
        /** Waits a little before the first read, then 1 ms after every 512 KiB: bursts with gaps. */
        SLOW(150, 512 * 1024);

        final long startDelayMillis;
        final long pauseEvery;

        Pace(long startDelayMillis, long pauseEvery) {
            this.startDelayMillis = startDelayMillis;
            this.pauseEvery = pauseEvery;
        }
    }

    /** Writes the first {@code n} bytes of the stream; returns their SHA-256. */
    public static String send(OutputStream out, long n) throws IOException {
        return send(out, 0, n);
    }

    /** Writes {@code n} bytes of the stream from offset {@code from}; returns their SHA-256. */
    public static String send(OutputStream out, long from, long n) throws IOException {
        MessageDigest digest = sha256();
        for (long offset = from, end = from + n; offset < end; ) {
            int at = (int) (offset % PERIOD);
            int len = (int) Math.min(65_536, end - offset);
            out.write(BLOCK, at, len);
            digest.update(BLOCK, at, len);
            offset += len;
        }
        out.flush();
        return hex(digest);
    }

    /** SHA-256 of the first {@code n} bytes of the stream, without sending them. */
    public static String digestOf(long n) {
        MessageDigest digest = sha256();
        for (long offset = 0; offset < n; ) {
            int at = (int) (offset % PERIOD);
            int len = (int) Math.min(65_536, n - offset);
            digest.update(BLOCK, at, len);
            offset += len;
        }
        return hex(digest);
    }

    /** Reads to the end of the stream (or an error, which is reported, not thrown), checking every byte. */
    public static Received receive(InputStream in, Pace pace) {
        MessageDigest digest = sha256();
        byte[] buf = new byte[65_536];
        long length = 0;
        long nextPause = pace.pauseEvery;
        boolean inOrder = true;
        String ended = "eof";
        try {
            sleep(pace.startDelayMillis);
            for (int r; (r = in.read(buf)) > 0; ) {
                digest.update(buf, 0, r);
                if (inOrder) {
                    int at = (int) (length % PERIOD);
                    inOrder = matches(buf, r, at);
                }
                length += r;
                if (pace.pauseEvery > 0 && length >= nextPause) {
                    nextPause += pace.pauseEvery;
                    sleep(1);
                }
            }
        } catch (IOException e) {
            ended = e.toString();
        }
        return new Received(length, hex(digest), inOrder, ended);
    }

    /** {@code BLOCK} runs 64 KiB past its period, so any read of up to 64 KiB compares in one piece. */
    private static boolean matches(byte[] buf, int r, int at) {
        return Arrays.mismatch(buf, 0, r, BLOCK, at, at + r) < 0;
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
