package org.balance.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Makes the running JVM show in ps, pgrep and /proc/PID/cmdline as the command that started it, the launcher's
 * path as typed and the original arguments ({@code /opt/balance/balance 25 smtp1 smtp2}), instead of
 * {@code java ... org.balance.cli.Main ...}: scripts written for the original find and stop it that way.
 *
 * <p>The setproctitle technique without native code: the kernel shows the bytes between {@code arg_start} and
 * {@code arg_end} of the process (fields 48 and 49 of /proc/self/stat) as its command line, and the process may
 * rewrite them through /proc/self/mem. The title is written as NUL-separated words padded with NULs to the
 * original length, so the area's last byte stays NUL and nothing spills into the environment. The process
 * name (/proc/self/comm, what {@code pgrep NAME}, {@code pidof} and {@code top} show) becomes the last part of
 * the path. Anything that goes wrong leaves the title as it was: it never stops the proxy.
 */
public final class ProcessTitle {
    /** Set by bin/balance: its own path as the user typed it ({@code $0}). */
    public static final String ARGV0_ENV = "BALANCE_ARGV0";
    /** /proc/PID/comm holds at most 15 bytes. */
    private static final int COMM_BYTES = 15;

    private ProcessTitle() {
    }

    /** Sets the title to {@code argv0} and {@code args}; returns null when done, else why it was not. */
    public static String set(String argv0, List<String> args) {
        return set(Path.of("/proc/self"), argv0, args);
    }

    static String set(Path proc, String argv0, List<String> args) {
        try {
            long[] area = argumentArea(Files.readString(proc.resolve("stat")));
            if (area == null) {
                return "no argument area in " + proc.resolve("stat");
            }
            ByteBuffer title = ByteBuffer.wrap(bytes(argv0, args, (int) (area[1] - area[0])));
            try (FileChannel mem = FileChannel.open(proc.resolve("mem"), StandardOpenOption.WRITE)) {
                while (title.hasRemaining()) {
                    if (mem.write(title, area[0] + title.position()) <= 0) {
                        return "short write to " + proc.resolve("mem");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "cannot rewrite the command line: " + e;
        }
        String name = name(argv0);
        if (name.isEmpty()) {
            return null;
        }
        try {
            Files.writeString(proc.resolve("comm"), name);
        } catch (IOException | RuntimeException e) {
            return "command line set, not the process name: " + e;
        }
        return null;
    }

    /** {@code [arg_start, arg_end)} from the text of /proc/PID/stat, or null if it is not there or makes no sense. */
    static long[] argumentArea(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 > stat.length()) {
            return null;
        }
        // the name in parentheses is field 2 and may hold spaces; fields from 3 on follow it
        String[] fields = stat.substring(close + 2).trim().split(" ");
        int argStart = 48 - 3;
        int argEnd = 49 - 3;
        if (fields.length <= argEnd) {
            return null;
        }
        try {
            long start = Long.parseLong(fields[argStart]);
            long end = Long.parseLong(fields[argEnd]);
            return start > 0 && end > start && end - start <= 1 << 20 ? new long[] {start, end} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The new contents of an argument area of {@code size} bytes: the words, each ended by NUL, then NULs.
     * A title longer than the area is cut at the last whole word that fits (the area ends with a NUL).
     */
    static byte[] bytes(String argv0, List<String> args, int size) {
        byte[] area = new byte[size];
        int at = 0;
        int limit = size - 1;
        for (int i = -1; i < args.size(); i++) {
            byte[] word = (i < 0 ? argv0 : args.get(i)).getBytes(StandardCharsets.UTF_8);
            if (at + word.length > limit) {
                if (i < 0) {
                    System.arraycopy(word, 0, area, 0, limit);
                }
                break;
            }
            System.arraycopy(word, 0, area, at, word.length);
            at += word.length + 1;
        }
        return area;
    }

    /** The process name: the last part of the path, at most 15 bytes, as the kernel keeps it. */
    static String name(String argv0) {
        String base = argv0.substring(argv0.lastIndexOf('/') + 1);
        byte[] b = base.getBytes(StandardCharsets.UTF_8);
        if (b.length <= COMM_BYTES) {
            return base;
        }
        String cut = new String(b, 0, COMM_BYTES, StandardCharsets.UTF_8);
        // drop a character cut in half
        return cut.endsWith("\uFFFD") ? cut.substring(0, cut.length() - 1) : cut;
    }
}
