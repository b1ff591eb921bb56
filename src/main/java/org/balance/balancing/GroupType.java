package org.balance.balancing;

/** How a group picks its channel; the one place that maps a group type to its algorithm. */
public enum GroupType {
    ROUND_ROBIN("RR"),
    HASH("Hash");

    private final String label;

    GroupType(String label) {
        this.label = label;
    }

    /** The word {@code show} prints in the Type column. */
    public String label() {
        return label;
    }

    Algorithm algorithm(boolean hashFailover) {
        return switch (this) {
            case ROUND_ROBIN -> RoundRobin.INSTANCE;
            case HASH -> hashFailover ? ClientHash.WITH_FAILOVER : ClientHash.WITHOUT_FAILOVER;
        };
    }
}
