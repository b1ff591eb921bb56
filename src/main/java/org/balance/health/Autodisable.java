package org.balance.health;

import org.balance.balancing.Destination;
import org.balance.log.Log;

/**
 * {@code -a}: a channel whose connect fails is taken out, softly. Without checks it stays out until the
 * operator's {@code enable}, and says so in the original's words; with checks, its checks bring it back after
 * {@code rise} passes in a row (as balance.fm's soft disable).
 */
public final class Autodisable {
    private final Log log;
    private final HealthMonitor health;

    public Autodisable(Log log, HealthMonitor health) {
        this.log = log;
        this.health = health;
    }

    /** A connect to {@code d}, channel {@code channel} of group {@code group}, was refused or timed out. */
    public void connectFailed(int group, int channel, Destination d) {
        if (!d.markDown()) {
            return;
        }
        log.notice("connection failed group " + group + " channel " + channel);
        if (health.checks(d)) {
            health.autodisabled(d);
            log.notice(d.endpoint() + " disabled until its checks pass");
        } else {
            if (health.isConfigured()) {
                health.changed(d);
            }
            log.notice(d.endpoint() + " needs to be enabled manually using balance -i after the problem is solved");
        }
    }
}
