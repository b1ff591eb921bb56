package org.balance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's file ({@code /etc/balance/NAME.conf}), read with the grammar that {@code src/deb/balance-service}
 * implements with bash, sed and xargs: one proxy per command line, a command line being what follows "balance" in
 * a shell.
 * <ul>
 * <li>Physical lines end at {@code \n} only (a {@code \r} stays part of the line, as for bash's {@code read}).</li>
 * <li>A {@code #} at the start of a physical line or after a blank (space or tab) cuts that blank and the rest of
 * the line, quotes or not (the script's {@code sed}); {@code a#b} is one word.</li>
 * <li>A physical line that then ends with a backslash loses that backslash and continues, after a space, on the
 * next line. A command line with nothing but white space is skipped.</li>
 * <li>The words are split like xargs splits them: blanks separate; single and double quotes group, with no escape
 * inside them; outside quotes a backslash takes the next character literally; no expansion of any kind. An
 * unterminated quote is an error.</li>
 * </ul>
 * A command line is numbered by the physical line holding its first character other than white space.
 */
public final class ConfigFile {

    /** One command line of the file: its first physical line number and its words. */
    public record Line(int number, List<String> words) {
        public Line {
            words = List.copyOf(words);
        }
    }

    /** One proxy of the file, checked and resolved. */
    public record Entry(int line, List<String> words, ProxyConfig config) {
        public Entry {
            words = List.copyOf(words);
        }
    }

    /** What two proxies of one file must not share: the listen port and the bind text (the control socket's name). */
    private record Listener(int port, String bindText) {
    }

    private ConfigFile() {
    }

    /**
     * Reads, splits and checks the whole file: every line through {@link CommandLine#parse} and
     * {@link ProxyConfig#from}. A line's error keeps its exit status and gets the prefix {@code FILE:LINE: }.
     * A {@code -f} on a line is accepted and changes nothing: every proxy of the file runs in the foreground.
     *
     * @throws UsageException 66 when the file cannot be read; 64 when it holds no command line, a control call,
     *                        {@code --help}, {@code --version}, or two proxies on one port and bind text; otherwise
     *                        the status of the first bad line
     */
    public static List<Entry> load(Path file) throws UsageException {
        String name = file.toString();
        List<Line> lines = lines(read(file), name);
        if (lines.isEmpty()) {
            throw new UsageException(name + ": no command line", ExitStatus.USAGE);
        }
        List<Entry> entries = new ArrayList<>();
        Map<Listener, Integer> served = new HashMap<>();
        for (Line line : lines) {
            String at = name + ":" + line.number() + ": ";
            ProxyConfig config;
            try {
                config = proxy(line.words());
            } catch (UsageException e) {
                throw new UsageException(at + e.getMessage(), e.exitStatus());
            }
            Integer earlier = served.putIfAbsent(new Listener(config.port(), config.bindText()), line.number());
            if (earlier != null) {
                throw new UsageException(at + "port " + config.port() + " (bind " + config.bindText()
                        + ") is already served by line " + earlier, ExitStatus.USAGE);
            }
            entries.add(new Entry(line.number(), line.words(), config));
        }
        return List.copyOf(entries);
    }

    /** Splits the text into command lines (no parsing of options). */
    static List<Line> lines(String text, String fileName) throws UsageException {
        List<Line> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int start = 0; // the physical line of current's first character that is not white space, 0 while none
        String[] physical = text.split("\n", -1);
        for (int i = 0; i < physical.length; i++) {
            String line = uncommented(physical[i]);
            boolean continued = line.endsWith("\\");
            if (continued) {
                line = line.substring(0, line.length() - 1) + " ";
            }
            if (start == 0 && !allSpace(line)) {
                start = i + 1;
            }
            current.append(line);
            if (!continued) {
                if (start != 0) {
                    lines.add(new Line(start, words(current.toString(), fileName, start)));
                }
                current.setLength(0);
                start = 0;
            }
        }
        if (start != 0) { // the last line ended with a backslash
            lines.add(new Line(start, words(current.toString(), fileName, start)));
        }
        return List.copyOf(lines);
    }

    /** The file's text; invalid UTF-8 becomes U+FFFD, for the checks to name. */
    private static String read(Path file) throws UsageException {
        String reason;
        try {
            if (!Files.isDirectory(file)) {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            }
            reason = "is a directory";
        } catch (NoSuchFileException e) {
            reason = "no such file";
        } catch (AccessDeniedException e) {
            reason = "permission denied";
        } catch (IOException | SecurityException e) {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        throw new UsageException("cannot read " + file + ": " + reason, ExitStatus.NO_INPUT);
    }

    /** The proxy of one command line; control calls, --help and --version have no place in the file. */
    private static ProxyConfig proxy(List<String> words) throws UsageException {
        Options options = CommandLine.parse(words.toArray(String[]::new));
        String other = switch (options.mode()) {
            case PROXY -> null;
            case CONTROL_COMMAND -> "-c " + options.command();
            case CONTROL_SHELL -> "-i";
            case SERVICE -> "--config " + options.configFile();
            case CONFIG_TEST -> "--config-test " + options.configFile();
            case HELP -> "--help";
            case VERSION -> "--version";
        };
        if (other != null) {
            throw new UsageException("[" + other + "] is not a proxy: the file holds proxies only", ExitStatus.USAGE);
        }
        return ProxyConfig.from(options);
    }

    /**
     * The script's {@code sed -E 's/(^|[[:blank:]])#.*$//'}: the line up to the first {@code #} that starts the line
     * or follows a blank, without that blank.
     */
    private static String uncommented(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || isBlank(line.charAt(i - 1)))) {
                return line.substring(0, Math.max(0, i - 1));
            }
        }
        return line;
    }

    /**
     * The words of one command line as {@code printf '%s\n' LINE | xargs printf '%s\0'} gives them (GNU xargs
     * without -0 or -d): leading white space is skipped, space and tab end a word, quotes group up to the same quote
     * with every character literal, a backslash outside quotes takes the next character. An empty quoted word
     * ({@code ''}) is a word.
     */
    private static List<String> words(String line, String fileName, int number) throws UsageException {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean escaped = false;
        char quote = 0;
        String input = line + "\n";
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (escaped) {
                word.append(c);
                escaped = false;
            } else if (quote != 0) {
                if (c == '\n') {
                    throw new UsageException(fileName + ":" + number + ": unterminated "
                            + (quote == '\'' ? "single" : "double") + " quote", ExitStatus.USAGE);
                }
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (!inWord && isSpace(c)) {
                continue; // between words every white space is skipped, \r, \v and \f too
            } else if (isBlank(c) || c == '\n') {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                inWord = true;
                if (c == '\\') {
                    escaped = true;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else {
                    word.append(c); // \r, \v and \f inside a word stay in it, as xargs keeps them
                }
            }
        }
        return words;
    }

    /** POSIX {@code [:blank:]}: what separates words. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** POSIX {@code [:space:]}, the script's test for a line with something on it. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    private static boolean allSpace(String s) {
        return s.chars().allMatch(c -> isSpace((char) c));
    }
}
