package org.balance.policy;

import java.util.List;

/**
 * The policies of one command line, before the relay: {@code --allow} / {@code --deny} ({@code access}),
 * {@code --source-limit} ({@code sourceLimit}, 0 for none) and {@code --log-sessions}. A value: a reload builds a new
 * one and new sessions follow it.
 */
public record PolicyConfig(AccessList access, int sourceLimit, boolean logSessions) {
    public static final PolicyConfig NONE = new PolicyConfig(AccessList.OPEN, 0, false);
    /** Bounds of {@code --source-limit}. */
    public static final int MIN_SOURCE_LIMIT = 1;
    public static final int MAX_SOURCE_LIMIT = 100_000;

    public static PolicyConfig of(List<Cidr> allow, List<Cidr> deny, int sourceLimit, boolean logSessions) {
        return new PolicyConfig(new AccessList(allow, deny), sourceLimit, logSessions);
    }

    /** Whether anything is asked of a session before it starts (lists or a limit). */
    public boolean admits() {
        return !access.isOpen() || sourceLimit > 0;
    }
}
