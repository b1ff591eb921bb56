package org.balance.health;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every check spec of an instance, and what they make of each channel. A channel's checks come from the most
 * specific spec that names it (its own, then its group's, then the instance's); what that spec leaves out comes
 * from the more general ones, then from the defaults of the option that brought the most general one:
 * <ul>
 *   <li>{@code -m} (balance.fm): every 60 s, rise 1, fall 1, timeout the connect timeout ({@code -t});</li>
 *   <li>{@code --check} and the other long options (HAProxy's defaults): every 2 s, rise 2, fall 3, timeout
 *       the interval but at most {@code -t}.</li>
 * </ul>
 * A spec without actions checks with a plain connect.
 */
public final class HealthConfig {
    public static final HealthConfig NONE = new HealthConfig(List.of(), 0);

    /** Which option a spec came from, which decides its defaults. */
    public enum Form {
        /** {@code -m}, balance.fm's option. */
        MONITOR(60_000, 1, 1),
        /** {@code --check} and the other long options. */
        CHECK(2_000, 2, 3);

        final long intervalMillis;
        final int rise;
        final int fall;

        Form(long intervalMillis, int rise, int fall) {
            this.intervalMillis = intervalMillis;
            this.rise = rise;
            this.fall = fall;
        }
    }

    /** A spec and the option it came from. */
    public record Spec(Form form, CheckSpec spec) {
    }

    private final Map<CheckSpec.Scope, Spec> specs;
    private final long connectTimeoutMillis;

    private HealthConfig(List<Spec> specs, long connectTimeoutMillis) {
        Map<CheckSpec.Scope, Spec> byScope = new HashMap<>();
        specs.forEach(s -> byScope.put(s.spec().scope(), s));
        this.specs = Map.copyOf(byScope);
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** @param connectTimeoutMillis the {@code -t} value, the default timeout of checks */
    public static HealthConfig of(List<Spec> specs, long connectTimeoutMillis) throws CheckSpec.SpecException {
        Map<CheckSpec.Scope, Spec> seen = new HashMap<>();
        for (Spec s : specs) {
            if (seen.put(s.spec().scope(), s) != null) {
                throw new CheckSpec.SpecException("two check specs for " + s.spec().scope());
            }
        }
        return specs.isEmpty() ? NONE : new HealthConfig(specs, connectTimeoutMillis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthConfig h && h.specs.equals(specs) && h.connectTimeoutMillis == connectTimeoutMillis;
    }

    @Override
    public int hashCode() {
        return specs.hashCode() * 31 + Long.hashCode(connectTimeoutMillis);
    }

    /** True if any channel may be checked: {@code show} then tells the operator's disable from the checks'. */
    public boolean isConfigured() {
        return !specs.isEmpty();
    }

    /** The scopes that name a group or channel, for the command line to check that they exist. */
    public List<CheckSpec.Scope> scopes() {
        return specs.keySet().stream().filter(s -> !s.isInstance()).toList();
    }

    /** The checks of channel {@code channel} of group {@code group}, or null if it is not checked. */
    public CheckPlan plan(int group, int channel) {
        List<Spec> chain = new ArrayList<>(3); // most general first
        for (CheckSpec.Scope scope : List.of(CheckSpec.Scope.INSTANCE, new CheckSpec.Scope(group, -1),
                new CheckSpec.Scope(group, channel))) {
            Spec s = specs.get(scope);
            if (s != null) {
                chain.add(s);
            }
        }
        if (chain.isEmpty() || chain.get(chain.size() - 1).spec().off()) {
            return null;
        }
        Form form = chain.get(0).form();
        List<CheckAction> actions = List.of();
        Long interval = null;
        Long timeout = null;
        Integer rise = null;
        Integer fall = null;
        boolean noEnable = false;
        boolean noDisable = false;
        for (Spec link : chain) {
            CheckSpec s = link.spec();
            if (!s.actions().isEmpty()) {
                actions = s.actions();
            }
            interval = s.intervalMillis() != null ? s.intervalMillis() : interval;
            timeout = s.timeoutMillis() != null ? s.timeoutMillis() : timeout;
            rise = s.rise() != null ? s.rise() : rise;
            fall = s.fall() != null ? s.fall() : fall;
            noEnable |= s.noEnable();
            noDisable |= s.noDisable();
        }
        long every = interval != null ? interval : form.intervalMillis;
        long limit = timeout != null ? timeout
                : form == Form.MONITOR ? connectTimeoutMillis : Math.min(every, connectTimeoutMillis);
        List<CheckAction> resolved = new ArrayList<>();
        for (CheckAction a : actions.isEmpty() ? List.<CheckAction>of(new CheckAction.Connect(0, null, null, null)) : actions) {
            resolved.add(a.timeoutMillis() == null ? a.withTimeout(limit) : a);
        }
        return new CheckPlan(resolved, every, rise != null ? rise : form.rise, fall != null ? fall : form.fall,
                !noEnable, !noDisable);
    }
}
