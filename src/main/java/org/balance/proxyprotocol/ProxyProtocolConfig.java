package org.balance.proxyprotocol;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.balance.health.CheckSpec;
import org.balance.health.CheckSpec.Scope;

/**
 * The PROXY protocol options of an instance, as a value: which header ({@code --send-proxy} v1,
 * {@code --send-proxy-v2} v2, or none) goes at the start of each connection to a channel, scoped the way
 * {@code --check} is (the instance, {@code group=G}, {@code channel=G.C}; the most specific scope that names a channel
 * decides, and {@code off} there sends none), and whether every client connection starts with a header from a front
 * load balancer ({@code --accept-proxy}). Pure: no Netty, so that an instance without these options loads none of the
 * codec.
 */
public final class ProxyProtocolConfig {
    public static final ProxyProtocolConfig NONE = new ProxyProtocolConfig(Map.of(), false);

    /** What a scope sends: a header of either version, or none ({@code off}). */
    public enum Version { V1, V2, OFF }

    /** One {@code --send-proxy[-v2][=SPEC]} option: its scope and what it sends there. */
    public record Send(Scope scope, Version version) {
    }

    /** A spec that cannot be read; the message names the offending part. */
    public static final class SpecException extends Exception {
        public SpecException(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<Scope, Version> sends;
    private final boolean accept;

    private ProxyProtocolConfig(Map<Scope, Version> sends, boolean accept) {
        this.sends = Map.copyOf(sends);
        this.accept = accept;
    }

    /** The options given; two for one scope are an error. */
    public static ProxyProtocolConfig of(List<Send> sends, boolean accept) throws SpecException {
        Map<Scope, Version> byScope = new HashMap<>();
        for (Send s : sends) {
            if (byScope.put(s.scope(), s.version()) != null) {
                throw new SpecException("two --send-proxy options for " + s.scope());
            }
        }
        return byScope.isEmpty() && !accept ? NONE : new ProxyProtocolConfig(byScope, accept);
    }

    /**
     * Reads the value of {@code --send-proxy=SPEC} (null: the bare option, every channel): {@code group=G} or
     * {@code channel=G.C}, optionally followed by {@code :off} (that group or channel gets no header).
     */
    public static Send parse(String spec, Version version) throws SpecException {
        if (spec == null) {
            return new Send(Scope.INSTANCE, version);
        }
        Scope scope = null;
        boolean off = false;
        for (String part : spec.split(":", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? null : part.substring(eq + 1);
            switch (key) {
                case "group", "channel" -> {
                    if (scope != null) {
                        throw new SpecException("[group] and [channel] both given");
                    }
                    if (value == null) {
                        throw new SpecException("[" + key + "] needs a value");
                    }
                    try {
                        scope = Scope.parse(key, value);
                    } catch (CheckSpec.SpecException e) {
                        throw new SpecException(e.getMessage());
                    }
                }
                case "off" -> {
                    if (value != null) {
                        throw new SpecException("[off] takes no value");
                    }
                    off = true;
                }
                default -> throw new SpecException("unknown key [" + key + "]: group=G, channel=G.C or off");
            }
        }
        if (scope == null) {
            throw new SpecException("name group=G or channel=G.C (the bare option is for every channel)");
        }
        return new Send(scope, off ? Version.OFF : version);
    }

    /** True if neither option is given: sessions start as before. */
    public boolean isNone() {
        return sends.isEmpty() && !accept;
    }

    /** {@code --accept-proxy}: every client connection starts with a PROXY header. */
    public boolean accept() {
        return accept;
    }

    /** True if some channel may get a header. */
    public boolean sends() {
        return sends.values().stream().anyMatch(v -> v != Version.OFF);
    }

    /** The scopes that name a group or channel, for the command line to check that they exist. */
    public List<Scope> scopes() {
        return sends.keySet().stream().filter(s -> !s.isInstance()).toList();
    }

    /** The header for connections to channel {@code channel} of group {@code group}: V1, V2 or OFF. */
    public Version version(int group, int channel) {
        Version v = sends.get(new Scope(group, channel));
        if (v == null) {
            v = sends.get(new Scope(group, -1));
        }
        if (v == null) {
            v = sends.get(Scope.INSTANCE);
        }
        return v == null ? Version.OFF : v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyProtocolConfig p && p.sends.equals(sends) && p.accept == accept;
    }

    @Override
    public int hashCode() {
        return sends.hashCode() * 31 + Boolean.hashCode(accept);
    }

    @Override
    public String toString() {
        return "ProxyProtocolConfig" + sends + (accept ? " accept" : "");
    }
}
