package org.balance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and malformed command lines: never a stack trace, always one line naming the problem and the
 * original's exit status. Hosts are literals or names no resolver could know, so nothing leaves the machine.
 */
class CommandLineFuzzTest {
    private static final String[] OPTIONS = {"-a", "-b", "-B", "-c", "-d", "-f", "-H", "-i", "-M", "-p", "-t", "-T", "-6",
        "-x", "-", "--", "-ft5", "-T0", "-t99999999999", "-b::1", "-Bbad..host", "-q", "-fpadHM6", "-\u00e9",
        "-m", "-mconnect", "--check", "--check=", "--check=group=1", "--check-rise", "--check-e", "--check-port=0", "--bogus"};
    private static final String[] VALUES = {"0", "-1", "5", "86401", "99999999999999999999", "abc", "", " ", "1e3", "0x10"};
    private static final String[] PORTS = {"8888", "0", "65536", "-80", "smtp", "nosuchservice", "80x", "", "99999999999"};
    private static final String[] CHANNELS = {"127.0.0.1", "localhost", "::1", "[::1]", "[::1", "[::1]x", "host:::", ":80",
        "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1::99999999999", "127.0.0.1:80:x", "127.0.0.1:80:-1", "bad..host",
        "!", "%", "%%", "!!", "127.0.0.1:smtp:3", "[::1]:80:2", "localhost::12", "127.0.0.1:", "_", "a_b:80"};

    private static String junk(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append((char) (0x21 + r.nextInt(0x5e)));
        }
        sb.insert(r.nextInt(sb.length() + 1), "_!"); // never a resolvable host name
        return sb.toString();
    }

    private static String[] randomArgs(Random r) {
        List<String> args = new ArrayList<>();
        int options = r.nextInt(4);
        for (int i = 0; i < options; i++) {
            args.add(OPTIONS[r.nextInt(OPTIONS.length)]);
            if (r.nextBoolean()) {
                args.add(VALUES[r.nextInt(VALUES.length)]);
            }
        }
        if (r.nextInt(10) > 0) {
            args.add(r.nextInt(8) == 0 ? junk(r) : PORTS[r.nextInt(PORTS.length)]);
        }
        int channels = r.nextInt(r.nextInt(10) == 0 ? 80 : 6);
        for (int i = 0; i < channels; i++) {
            args.add(r.nextInt(10) == 0 ? junk(r) : CHANNELS[r.nextInt(CHANNELS.length)]);
        }
        return args.toArray(String[]::new);
    }

    @Test
    void randomCommandLinesFailCleanly() {
        Random r = new Random(20261121);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            String[] args = randomArgs(r);
            String shown = String.join(" ", args);
            UsageException failure = null;
            Options options = null;
            try {
                options = CommandLine.parse(args);
                if (options.mode() == Options.Mode.PROXY) {
                    ProxyConfig.from(options);
                } else {
                    ProxyConfig.listenPort(options.port());
                }
            } catch (UsageException e) {
                failure = e;
            } catch (RuntimeException e) {
                throw new AssertionError("unexpected " + e + " for: " + shown, e);
            }
            if (failure == null) {
                continue; // a valid command line: starting it is not this test's business
            }
            rejected++;
            String message = failure.getMessage();
            assertFalse(message.isBlank(), shown);
            assertFalse(message.contains("\n"), "one line for: " + shown);
            assertTrue(failure.exitStatus() == 64 || failure.exitStatus() == 65, shown + " -> " + failure.exitStatus());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
            String printed = err.toString(StandardCharsets.UTF_8);
            assertEquals(failure.exitStatus(), status, shown);
            assertTrue(printed.startsWith(message + "\n"), shown + " printed " + printed);
            assertFalse(printed.contains("Exception") || printed.contains("\tat "), printed);
            assertEquals("", out.toString(StandardCharsets.UTF_8));
        }
        assertTrue(rejected > 3000, "the fuzz must mostly produce bad command lines, got " + rejected);
    }

    @Test
    void messagesNameTheOffendingValue() {
        String[][] cases = {
            {"-t", "abc", "80", "127.0.0.1"}, {"[abc]"},
            {"80", "127.0.0.1:80:zz"}, {"[zz]"},
            {"80", "127.0.0.1:nosuchservice"}, {"[nosuchservice]"},
            {"80x", "127.0.0.1"}, {"[80x]"},
            {"80", "bad..host"}, {"[bad..host]"},
            {"80", "host:::"}, {"[host:::]"},
            {"-B", "x_y", "80", "127.0.0.1"}, {"[x_y]"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            try {
                ProxyConfig.from(CommandLine.parse(cases[i]));
                throw new AssertionError("accepted " + String.join(" ", cases[i]));
            } catch (UsageException e) {
                assertTrue(e.getMessage().contains(cases[i + 1][0]), e.getMessage());
            }
        }
    }
}
