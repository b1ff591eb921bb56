package org.balance.health;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.balance.balancing.Limits;
import org.balance.health.CheckAction.Command;
import org.balance.health.CheckAction.Connect;

/**
 * A check spec as written: balance.fm's {@code -m} grammar, {@code key[=value]} pairs joined by {@code :},
 * with a backslash escaping a colon (and the usual control characters). Keys:
 * <ul>
 *   <li>actions, run in order: {@code connect}, {@code command=COMMAND LINE};</li>
 *   <li>options of the action before them: {@code timeout=SEC}; of a connect: {@code port=PORT},
 *       {@code send=TEXT}, {@code expect=TEXT}, {@code expect-regex=REGEX} (these start a connect of their own
 *       when no action is open); of a command: {@code pass=CODE,CODE};</li>
 *   <li>options of the whole check: {@code interval=SEC}, {@code timeout=SEC} (before any action),
 *       {@code rise=N}, {@code fall=N}, {@code noenable}, {@code nodisable};</li>
 *   <li>where it applies: {@code group=G}, {@code channel=G.C} (default: every channel), and {@code off} for a
 *       group or channel that is not checked.</li>
 * </ul>
 * Values left out here are null: {@link HealthConfig} fills them in from the instance's spec and the defaults.
 */
public record CheckSpec(Scope scope, List<CheckAction> actions, Long intervalMillis, Long timeoutMillis,
                        Integer rise, Integer fall, boolean noEnable, boolean noDisable, boolean off) {

    /** Largest interval or timeout: a day. */
    static final long MAX_MILLIS = 86_400_000L;
    /** Smallest interval or timeout. */
    static final long MIN_MILLIS = 10;
    /** Largest rise or fall. */
    public static final int MAX_COUNT = 1000;
    /** What a time value may be, for error messages. */
    public static final String SECONDS_HINT = "0.01 to 86400, e.g. 2, 0.5 or 500ms";

    public CheckSpec {
        actions = List.copyOf(actions);
    }

    /** Where a spec applies: every channel, one group ({@code channel} -1), or one channel. */
    public record Scope(int group, int channel) {
        public static final Scope INSTANCE = new Scope(-1, -1);

        public boolean isInstance() {
            return group < 0;
        }

        public boolean isGroup() {
            return group >= 0 && channel < 0;
        }

        /** {@code group=G} or {@code channel=G.C} as written in a spec: {@code key} is group or channel. */
        public static Scope parse(String key, String value) throws SpecException {
            return key.equals("group") ? new Scope(CheckSpec.group(value), -1) : CheckSpec.channel(value);
        }

        @Override
        public String toString() {
            return isInstance() ? "every channel" : isGroup() ? "group " + group : "channel " + group + "." + channel;
        }
    }

    /** A spec that cannot be read; the message names the offending part. */
    public static final class SpecException extends Exception {
        public SpecException(String message) {
            super(message, null, false, false);
        }
    }

    public CheckSpec withInterval(long millis) {
        return new CheckSpec(scope, actions, millis, timeoutMillis, rise, fall, noEnable, noDisable, off);
    }

    public CheckSpec withTimeout(long millis) {
        return new CheckSpec(scope, actions, intervalMillis, millis, rise, fall, noEnable, noDisable, off);
    }

    public CheckSpec withRise(int n) {
        return new CheckSpec(scope, actions, intervalMillis, timeoutMillis, n, fall, noEnable, noDisable, off);
    }

    public CheckSpec withFall(int n) {
        return new CheckSpec(scope, actions, intervalMillis, timeoutMillis, rise, n, noEnable, noDisable, off);
    }

    /**
     * The spec with its first connect changed by {@code change} ({@code --check-port}, {@code --check-send} and
     * the expect options); a connect is put first if there is none.
     */
    public CheckSpec withConnect(java.util.function.UnaryOperator<Connect> change) {
        List<CheckAction> changed = new ArrayList<>(actions);
        int at = -1;
        for (int i = 0; i < changed.size() && at < 0; i++) {
            if (changed.get(i) instanceof Connect) {
                at = i;
            }
        }
        if (at < 0) {
            changed.add(0, new Connect(0, null, null, null));
            at = 0;
        }
        changed.set(at, change.apply((Connect) changed.get(at)));
        return new CheckSpec(scope, changed, intervalMillis, timeoutMillis, rise, fall, noEnable, noDisable, off);
    }

    /** Reads a spec; see the class comment for the grammar. */
    public static CheckSpec parse(String text) throws SpecException {
        if (text.isEmpty()) {
            throw new SpecException("empty check spec");
        }
        Builder b = new Builder();
        int i = 0;
        while (i < text.length()) {
            StringBuilder key = new StringBuilder();
            while (i < text.length() && text.charAt(i) != '=' && text.charAt(i) != ':') {
                key.append(text.charAt(i++));
            }
            String value = null;
            if (i < text.length() && text.charAt(i) == '=') {
                i++;
                StringBuilder raw = new StringBuilder();
                while (i < text.length() && text.charAt(i) != ':') {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < text.length()) {
                        char next = text.charAt(i++);
                        if (next == ':') {
                            raw.append(':');
                        } else {
                            raw.append('\\').append(next);
                        }
                    } else {
                        raw.append(c);
                    }
                }
                value = raw.toString();
            }
            b.add(key.toString(), value);
            i++; // the colon
        }
        return b.build();
    }

    /** Collects the pairs in order: action options go to the action before them. */
    private static final class Builder {
        private final List<CheckAction> actions = new ArrayList<>();
        private Scope scope = Scope.INSTANCE;
        private boolean scoped;
        private Long interval;
        private Long timeout;
        private Integer rise;
        private Integer fall;
        private boolean noEnable;
        private boolean noDisable;
        private boolean off;
        private int pairs;

        void add(String key, String value) throws SpecException {
            pairs++;
            switch (key) {
                case "connect" -> {
                    flag(key, value);
                    actions.add(new Connect(0, null, null, null));
                }
                case "command" -> actions.add(new Command(Escapes.command(required(key, value)), Set.of(0), null));
                case "timeout" -> {
                    long millis = seconds(required(key, value));
                    if (actions.isEmpty()) {
                        timeout = millis;
                    } else {
                        replaceLast(last().withTimeout(millis));
                    }
                }
                case "pass" -> {
                    if (!(lastOrNull() instanceof Command c)) {
                        throw new SpecException("[pass] needs a command before it");
                    }
                    replaceLast(new Command(c.template(), exitCodes(required(key, value)), c.timeoutMillis()));
                }
                case "port" -> {
                    int port = port(required(key, value));
                    Connect c = openConnect(key);
                    replaceLast(new Connect(port, c.timeoutMillis(), c.send(), c.expect()));
                }
                case "send" -> {
                    String bytes = Escapes.bytes(required(key, value));
                    Connect c = openConnect(key);
                    replaceLast(new Connect(c.port(), c.timeoutMillis(), bytes, c.expect()));
                }
                case "expect" -> expect(key, new Expect.Prefix(Escapes.bytes(required(key, value))));
                case "expect-regex" -> {
                    String regex = required(key, value);
                    try {
                        expect(key, new Expect.Match(Pattern.compile(regex)));
                    } catch (PatternSyntaxException e) {
                        throw new SpecException("invalid regular expression [" + regex + "]");
                    }
                }
                case "interval" -> interval = seconds(required(key, value));
                case "rise" -> rise = count(key, required(key, value));
                case "fall" -> fall = count(key, required(key, value));
                case "noenable" -> {
                    flag(key, value);
                    noEnable = true;
                }
                case "nodisable" -> {
                    flag(key, value);
                    noDisable = true;
                }
                case "off" -> {
                    flag(key, value);
                    off = true;
                }
                case "group" -> scope(new Scope(group(required(key, value)), -1));
                case "channel" -> scope(channel(required(key, value)));
                default -> throw new SpecException("unknown key [" + key + "]");
            }
        }

        CheckSpec build() throws SpecException {
            if (off && (scope.isInstance() || pairs != 2)) {
                throw new SpecException("[off] stands alone (with group= or channel=)");
            }
            return new CheckSpec(scope, actions, interval, timeout, rise, fall, noEnable, noDisable, off);
        }

        private void scope(Scope s) throws SpecException {
            if (scoped) {
                throw new SpecException("[group] and [channel] both given");
            }
            scoped = true;
            scope = s;
        }

        private void expect(String key, Expect expect) throws SpecException {
            Connect c = openConnect(key);
            if (c.expect() != null) {
                throw new SpecException("a connect expects one reply: [expect] or [expect-regex]");
            }
            replaceLast(new Connect(c.port(), c.timeoutMillis(), c.send(), expect));
        }

        /** The connect that {@code key} belongs to: the last action, or a new connect if there is none. */
        private Connect openConnect(String key) throws SpecException {
            CheckAction last = lastOrNull();
            if (last == null) {
                Connect c = new Connect(0, null, null, null);
                actions.add(c);
                return c;
            }
            if (last instanceof Connect c) {
                return c;
            }
            throw new SpecException("[" + key + "] belongs to a connect, not to a command");
        }

        private CheckAction lastOrNull() {
            return actions.isEmpty() ? null : actions.get(actions.size() - 1);
        }

        private CheckAction last() {
            return actions.get(actions.size() - 1);
        }

        private void replaceLast(CheckAction a) {
            actions.set(actions.size() - 1, a);
        }
    }

    private static void flag(String key, String value) throws SpecException {
        if (value != null) {
            throw new SpecException("[" + key + "] takes no value");
        }
    }

    private static String required(String key, String value) throws SpecException {
        if (value == null || value.isEmpty()) {
            throw new SpecException("[" + key + "] needs a value");
        }
        return value;
    }

    /** Seconds as balance.fm and HAProxy users write them: {@code 2}, {@code 0.4}, {@code 2s}, {@code 500ms}. */
    public static long seconds(String text) throws SpecException {
        String number = text;
        long unit = 1000;
        if (text.endsWith("ms")) {
            number = text.substring(0, text.length() - 2);
            unit = 1;
        } else if (text.endsWith("s")) {
            number = text.substring(0, text.length() - 1);
        }
        if (!number.isEmpty() && number.length() <= 12 && number.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && number.indexOf('.') == number.lastIndexOf('.') && !number.equals(".")) {
            BigDecimal millis = new BigDecimal(number.startsWith(".") ? "0" + number : number).multiply(BigDecimal.valueOf(unit));
            if (millis.compareTo(BigDecimal.valueOf(MIN_MILLIS)) >= 0 && millis.compareTo(BigDecimal.valueOf(MAX_MILLIS)) <= 0) {
                return millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            }
        }
        throw new SpecException("invalid seconds [" + text + "]: " + SECONDS_HINT);
    }

    /** Text to send or expect, its backslash escapes resolved: bytes as ISO-8859-1 characters. */
    public static String bytes(String raw) {
        return Escapes.bytes(raw);
    }

    /** A rise or fall count. */
    public static int count(String what, String text) throws SpecException {
        if (!text.isEmpty() && text.length() <= 4 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_COUNT) {
                return n;
            }
        }
        throw new SpecException("invalid count [" + text + "] for " + what + ": 1 to " + MAX_COUNT);
    }

    /** A port number 1 to 65535 (names from /etc/services are resolved by the command line, not here). */
    public static int port(String text) throws SpecException {
        if (!text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        }
        throw new SpecException("invalid port [" + text + "] for port");
    }

    private static Set<Integer> exitCodes(String text) throws SpecException {
        Set<Integer> codes = new LinkedHashSet<>();
        for (String word : text.split(",", -1)) {
            if (word.isEmpty() || word.length() > 3 || !word.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(word) > 255) {
                throw new SpecException("invalid exit codes [" + text + "]");
            }
            codes.add(Integer.parseInt(word));
        }
        return codes;
    }

    private static int group(String text) throws SpecException {
        if (!text.isEmpty() && text.length() <= 2 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int g = Integer.parseInt(text);
            if (g < Limits.MAX_GROUPS) {
                return g;
            }
        }
        throw new SpecException("invalid group [" + text + "]: 0 to " + (Limits.MAX_GROUPS - 1));
    }

    private static Scope channel(String text) throws SpecException {
        int dot = text.indexOf('.');
        if (dot > 0 && dot < text.length() - 1 && dot <= 2 && text.length() - dot - 1 <= 2
                && text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') && text.indexOf('.', dot + 1) < 0) {
            int g = Integer.parseInt(text.substring(0, dot));
            int c = Integer.parseInt(text.substring(dot + 1));
            if (g < Limits.MAX_GROUPS && c < Limits.MAX_CHANNELS) {
                return new Scope(g, c);
            }
        }
        throw new SpecException("invalid channel [" + text + "]: GROUP.CHANNEL, e.g. 0.1");
    }
}
