package org.balance.balancing;

import java.util.ArrayList;
import java.util.List;

/** All groups, 0 to {@link Limits#MAX_GROUPS} - 1; groups without channels are skipped by selection. */
public final class Routing {
    private final DestinationGroup[] groups = new DestinationGroup[Limits.MAX_GROUPS];

    public Routing() {
        for (int i = 0; i < groups.length; i++) {
            groups[i] = new DestinationGroup(i);
        }
    }

    /** The group numbered {@code number}, or null outside 0 to MAX_GROUPS - 1. */
    public DestinationGroup group(int number) {
        return number >= 0 && number < groups.length ? groups[number] : null;
    }

    public int groupCount() {
        return groups.length;
    }

    /** Every channel of every group, in group and channel order. */
    public List<Destination> allChannels() {
        List<Destination> all = new ArrayList<>();
        for (DestinationGroup g : groups) {
            all.addAll(g.channels());
        }
        return all;
    }
}
