package org.balance.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the original's options like glibc getopt with the option string {@code "c:b:B:t:T:adfpiHM6"}:
 * letters may be clustered ({@code -fp}), values may be attached ({@code -t5}) or follow, options may stand
 * anywhere before {@code --}, and everything else is an operand in its original order. Like getopt_long,
 * it also knows {@code --help} and {@code --version} (or any prefix of them, {@code --he}); the first of them
 * or of a bad option decides, any other {@code --word} is an unrecognized option.
 */
public final class CommandLine {
    private static final String FLAGS = "adfpiHM6";
    private static final String WITH_VALUE = "cbBtT";
    /** Upper bound for -t and -T: a day is far more than any sane timeout, and the value fits a timer. */
    private static final int MAX_TIMEOUT_SECONDS = 86_400;

    private CommandLine() {
    }

    public static Options parse(String... args) throws UsageException {
        boolean autodisable = false, debug = false, foreground = false, hashFailover = false;
        boolean interactive = false, memoryMap = false, packetDump = false, ipv6 = false;
        String bind = null, source = null, command = null;
        int connectTimeout = Options.DEFAULT_CONNECT_TIMEOUT, idleTimeout = 0;
        List<String> operands = new ArrayList<>();

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                for (i++; i < args.length; i++) {
                    operands.add(args[i]);
                }
                break;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                operands.add(arg);
                continue;
            }
            if (arg.startsWith("--")) {
                return Options.request(longOption(arg));
            }
            for (int k = 1; k < arg.length(); k++) {
                char letter = arg.charAt(k);
                if (FLAGS.indexOf(letter) >= 0) {
                    switch (letter) {
                        case 'a' -> autodisable = true;
                        case 'd' -> debug = true;
                        case 'f' -> foreground = true;
                        case 'p' -> packetDump = true;
                        case 'i' -> interactive = true;
                        case 'H' -> hashFailover = true;
                        case 'M' -> memoryMap = true;
                        case '6' -> ipv6 = true;
                        default -> throw new IllegalStateException("flag " + letter);
                    }
                    continue;
                }
                if (WITH_VALUE.indexOf(letter) < 0) {
                    throw UsageException.usage("invalid option -- '" + printable(letter) + "'");
                }
                String value;
                if (k + 1 < arg.length()) {
                    value = arg.substring(k + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw UsageException.usage("option requires an argument -- '" + letter + "'");
                }
                switch (letter) {
                    case 'c' -> command = value;
                    case 'b' -> bind = value;
                    case 'B' -> source = value;
                    case 't' -> connectTimeout = seconds(value, "connect timeout");
                    case 'T' -> idleTimeout = seconds(value, "idle timeout");
                    default -> throw new IllegalStateException("option " + letter);
                }
                break;
            }
        }

        Options options = new Options(autodisable, bind, source, command, debug, foreground, hashFailover,
                interactive, memoryMap, packetDump, connectTimeout, idleTimeout, ipv6, List.copyOf(operands), null);
        if (options.mode() == Options.Mode.PROXY) {
            if (operands.isEmpty()) {
                throw UsageException.usage("missing port and channels");
            }
            if (operands.size() < 2) {
                throw UsageException.usage("at least one channel must be specified");
            }
        } else if (operands.size() != 1) {
            throw UsageException.usage(operands.isEmpty()
                    ? "missing port"
                    : "-i and -c take only the port, not [" + String.join(" ", operands.subList(1, operands.size())) + "]");
        }
        if (bind != null && bind.isEmpty()) {
            throw new UsageException("unknown or invalid address []", ExitStatus.DATA_ERROR);
        }
        return options;
    }

    /** {@code --help} or {@code --version}, as getopt_long matches them: the whole name or a prefix. */
    private static Options.Mode longOption(String arg) throws UsageException {
        int equals = arg.indexOf('=');
        String name = arg.substring(2, equals < 0 ? arg.length() : equals);
        for (Options.Mode mode : List.of(Options.Mode.HELP, Options.Mode.VERSION)) {
            String full = mode.name().toLowerCase(java.util.Locale.ROOT);
            if (!name.isEmpty() && full.startsWith(name)) {
                if (equals >= 0) {
                    throw UsageException.usage("option '--" + full + "' doesn't allow an argument");
                }
                return mode;
            }
        }
        throw UsageException.usage("unrecognized option '" + arg + "'");
    }

    private static int seconds(String value, String what) throws UsageException {
        if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_TIMEOUT_SECONDS) {
                return n;
            }
        }
        throw UsageException.usage("invalid " + what + " [" + value + "]: seconds from 1 to " + MAX_TIMEOUT_SECONDS);
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
