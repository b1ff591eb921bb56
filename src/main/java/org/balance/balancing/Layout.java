package org.balance.balancing;

/**
 * A group's channels and their weights as one immutable value. A new one replaces it whenever a channel is added,
 * removed, reassigned or reweighted, so that the tables an algorithm builds from it (a Maglev lookup table, the
 * smooth round robin's weights) are built once per change and then only read, never locked for a lookup.
 * In-service state is not part of it: algorithms read it live, so that a disable or a failed check rebuilds nothing.
 */
final class Layout {
    static final Layout EMPTY = new Layout(new Destination[0], new int[0]);

    final Destination[] members;
    final int[] weights;
    /** Every channel has the same weight: round robin goes round exactly as the original's. */
    final boolean equalWeights;
    /** Smooth weighted round robin's current weights, guarded by themselves (only when the weights differ). */
    final int[] currentWeights;
    private volatile Maglev.Table maglev;

    Layout(Destination[] members, int[] weights) {
        if (members.length != weights.length) {
            throw new IllegalArgumentException(members.length + " channels, " + weights.length + " weights");
        }
        this.members = members;
        this.weights = weights;
        boolean equal = true;
        for (int w : weights) {
            equal &= w == weights[0];
        }
        this.equalWeights = equal;
        this.currentWeights = equal ? null : new int[members.length];
    }

    int size() {
        return members.length;
    }

    /** The Maglev table of this layout, built on first use (once: later callers wait for it, then only read it). */
    Maglev.Table maglev() {
        Maglev.Table t = maglev;
        if (t == null) {
            synchronized (this) {
                t = maglev;
                if (t == null) {
                    t = Maglev.Table.build(this, Maglev.TABLE_SIZE);
                    maglev = t;
                }
            }
        }
        return t;
    }
}
