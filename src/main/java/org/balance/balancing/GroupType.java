package org.balance.balancing;

/** How a group picks its channel; the one place that maps a group type to its algorithm. */
public enum GroupType {
    ROUND_ROBIN("RR"),
    HASH("Hash"),
    /** New sessions go to the channel with the fewest in progress ({@code leastconn}, the {@code -} separator). */
    LEAST_CONNECTIONS("LC");

    private final String label;

    GroupType(String label) {
        this.label = label;
    }

    /** The word {@code show} prints in the Type column. */
    public String label() {
        return label;
    }

    Algorithm algorithm(HashScheme scheme, boolean hashFailover, Layout layout) {
        return switch (this) {
            case ROUND_ROBIN -> layout.equalWeights ? RoundRobin.INSTANCE : SmoothWeightedRoundRobin.INSTANCE;
            case HASH -> switch (scheme) {
                case CLASSIC -> hashFailover ? ClientHash.WITH_FAILOVER : ClientHash.WITHOUT_FAILOVER;
                case MAGLEV -> hashFailover ? Maglev.WITH_FAILOVER : Maglev.WITHOUT_FAILOVER;
            };
            case LEAST_CONNECTIONS -> LeastConnections.INSTANCE;
        };
    }
}
