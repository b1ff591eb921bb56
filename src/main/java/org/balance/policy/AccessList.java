package org.balance.policy;

import java.util.List;

/**
 * {@code --allow} and {@code --deny}: a client in a denied block is refused; with any allowed block, a client in
 * none of them is refused too. Deny wins over allow. Empty: everyone is served.
 */
public record AccessList(List<Cidr> allow, List<Cidr> deny) {
    public static final AccessList OPEN = new AccessList(List.of(), List.of());

    public AccessList {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    public boolean isOpen() {
        return allow.isEmpty() && deny.isEmpty();
    }

    /** Whether a client at {@code address} (plain bytes; empty for a connection without an IP address) is served. */
    public boolean permits(byte[] address) {
        for (Cidr c : deny) {
            if (c.contains(address)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr c : allow) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
