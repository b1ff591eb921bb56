package org.balance.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.balance.health.CheckAction.Connect;
import org.balance.health.CheckSpec;
import org.balance.health.Expect;
import org.balance.health.HealthConfig;

/**
 * The health check options of the command line, made into a {@link HealthConfig}:
 * <ul>
 *   <li>{@code -m SPEC}: balance.fm's option and defaults (every 60 s, rise 1, fall 1);</li>
 *   <li>{@code --check[=SPEC]}: the same grammar with HAProxy's defaults (every 2 s, rise 2, fall 3);</li>
 *   <li>{@code --check-interval}, {@code --check-timeout}, {@code --check-rise}, {@code --check-fall},
 *       {@code --check-port}, {@code --check-send}, {@code --check-expect}, {@code --check-expect-regex}: change the
 *       checks of every channel, and turn them on with HAProxy's defaults if no {@code -m} or {@code --check}
 *       did.</li>
 * </ul>
 * A spec may name a group ({@code group=G}) or a channel ({@code channel=G.C}); those must exist.
 */
final class CheckOptions {
    /** The long options, for the parser. */
    static final List<String> LONG = List.of("check", "check-interval", "check-timeout", "check-rise", "check-fall",
            "check-port", "check-send", "check-expect", "check-expect-regex");

    /** One check option as given: {@code m} or a long option's name, and its value (null for a bare {@code --check}). */
    record Given(String name, String value) {
    }

    private CheckOptions() {
    }

    /** Options whose value must be attached with {@code =}, as getopt_long's optional arguments. */
    static boolean optionalValue(String name) {
        return name.equals("check");
    }

    static HealthConfig health(List<Given> given, List<ProxyConfig.GroupConfig> groups, int connectTimeoutSeconds)
            throws UsageException {
        List<HealthConfig.Spec> specs = new ArrayList<>();
        List<Given> changes = new ArrayList<>();
        for (Given g : given) {
            switch (g.name()) {
                case "m" -> specs.add(spec(HealthConfig.Form.MONITOR, g.value(), groups));
                case "check" -> specs.add(spec(HealthConfig.Form.CHECK, g.value() == null ? "connect" : g.value(), groups));
                default -> changes.add(g);
            }
        }
        if (!changes.isEmpty()) {
            int at = -1;
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).spec().scope().isInstance()) {
                    at = i;
                }
            }
            HealthConfig.Spec instance = at >= 0 ? specs.get(at)
                    : new HealthConfig.Spec(HealthConfig.Form.CHECK, new CheckSpec(CheckSpec.Scope.INSTANCE, List.of(),
                            null, null, null, null, false, false, false));
            CheckSpec changed = instance.spec();
            for (Given g : changes) {
                changed = change(changed, g);
            }
            long expects = changes.stream().filter(g -> g.name().startsWith("check-expect")).map(Given::name).distinct().count();
            if (expects > 1) {
                throw UsageException.usage("--check-expect and --check-expect-regex both given");
            }
            HealthConfig.Spec replaced = new HealthConfig.Spec(instance.form(), changed);
            if (at >= 0) {
                specs.set(at, replaced);
            } else {
                specs.add(0, replaced);
            }
        }
        try {
            return HealthConfig.of(specs, connectTimeoutSeconds * 1000L);
        } catch (CheckSpec.SpecException e) {
            String text = given.stream().filter(g -> g.name().equals("m") || g.name().equals("check"))
                    .map(g -> g.value() == null ? "connect" : g.value()).reduce((a, b) -> b).orElse("");
            throw UsageException.usage("invalid check spec [" + text + "]: " + e.getMessage());
        }
    }

    private static HealthConfig.Spec spec(HealthConfig.Form form, String text, List<ProxyConfig.GroupConfig> groups)
            throws UsageException {
        CheckSpec spec;
        try {
            spec = CheckSpec.parse(text);
        } catch (CheckSpec.SpecException e) {
            throw UsageException.usage("invalid check spec [" + text + "]: " + e.getMessage());
        }
        String problem = missing(spec.scope(), groups);
        if (problem != null) {
            throw UsageException.usage("invalid check spec [" + text + "]: " + problem);
        }
        return new HealthConfig.Spec(form, spec);
    }

    /** Why {@code scope} names nothing of {@code groups} ("there is no group 3"), or null if it does (or is the instance). */
    static String missing(CheckSpec.Scope scope, List<ProxyConfig.GroupConfig> groups) {
        if (scope.isInstance()) {
            return null;
        }
        boolean groupExists = scope.group() < groups.size();
        if (scope.isGroup() && !groupExists) {
            return "there is no group " + scope.group();
        }
        if (!scope.isGroup() && (!groupExists || scope.channel() >= groups.get(scope.group()).channels().size())) {
            return "there is no channel " + scope.group() + "." + scope.channel();
        }
        return null;
    }

    /** Applies one long option to the spec of every channel. */
    private static CheckSpec change(CheckSpec spec, Given g) throws UsageException {
        String v = g.value();
        try {
            return switch (g.name()) {
                case "check-interval" -> spec.withInterval(CheckSpec.seconds(v));
                case "check-timeout" -> spec.withTimeout(CheckSpec.seconds(v));
                case "check-rise" -> spec.withRise(CheckSpec.count("rise", v));
                case "check-fall" -> spec.withFall(CheckSpec.count("fall", v));
                case "check-port" -> {
                    int port = CheckSpec.port(v);
                    yield spec.withConnect(c -> new Connect(port, c.timeoutMillis(), c.send(), c.expect()));
                }
                case "check-send" -> {
                    String bytes = CheckSpec.bytes(v);
                    yield spec.withConnect(c -> new Connect(c.port(), c.timeoutMillis(), bytes, c.expect()));
                }
                case "check-expect" -> {
                    if (v.isEmpty()) {
                        throw UsageException.usage("invalid --check-expect []: expect at least one byte");
                    }
                    Expect e = new Expect.Prefix(CheckSpec.bytes(v));
                    yield spec.withConnect(c -> new Connect(c.port(), c.timeoutMillis(), c.send(), e));
                }
                case "check-expect-regex" -> {
                    Expect e;
                    try {
                        e = new Expect.Match(Pattern.compile(v));
                    } catch (PatternSyntaxException x) {
                        throw UsageException.usage("invalid --check-expect-regex [" + v + "]: not a regular expression");
                    }
                    yield spec.withConnect(c -> new Connect(c.port(), c.timeoutMillis(), c.send(), e));
                }
                default -> throw new IllegalStateException("option --" + g.name());
            };
        } catch (CheckSpec.SpecException e) {
            String hint = switch (g.name()) {
                case "check-interval", "check-timeout" -> CheckSpec.SECONDS_HINT;
                case "check-port" -> "1 to 65535";
                default -> "1 to " + CheckSpec.MAX_COUNT;
            };
            throw UsageException.usage("invalid --" + g.name() + " [" + v + "]: " + hint);
        }
    }
}
