package org.balance.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateTest {

    /** Feeds results ('+' pass, '-' fail) and returns the verdict after each ('U' healthy, 'D' not). */
    private static String run(HealthState s, String results) {
        StringBuilder verdicts = new StringBuilder();
        for (char r : results.toCharArray()) {
            s.record(r == '+');
            verdicts.append(s.healthy() ? 'U' : 'D');
        }
        return verdicts.toString();
    }

    @Test
    void aNewChannelStartsHealthyAndNeedsFallFailures() {
        assertEquals("UUD", run(new HealthState(2, 3), "---"), "one slow first check of a cold start takes nothing out");
        assertEquals("UUUD", run(new HealthState(2, 3), "+---"));
    }

    @Test
    void fallAndRiseCountResultsInARow() {
        HealthState s = new HealthState(2, 3);
        assertEquals("UUUUUUD", run(s, "+--+---"), "a pass between failures starts the count again");
        assertEquals("DDDU", run(s, "+-++"), "and a failure between passes");
    }

    @Test
    void balanceFmCountsOneResult() {
        assertEquals("UDUDU", run(new HealthState(1, 1), "+-+-+"));
    }

    @Test
    void recordSaysWhenTheVerdictChanged() {
        HealthState s = new HealthState(2, 2);
        List<Boolean> changed = new ArrayList<>();
        for (char r : "+--++".toCharArray()) {
            changed.add(s.record(r == '+'));
        }
        assertEquals(List.of(false, false, true, false, true), changed);
    }

    @Test
    void restartDown() {
        HealthState s = new HealthState(3, 2);
        s.restart(false);
        assertFalse(s.healthy());
        assertEquals("DDU", run(s, "+++"), "taken out by -a: back after rise passes");
    }

    @Test
    void restartUpForgetsThePast() {
        HealthState s = new HealthState(2, 3);
        run(s, "+--");
        s.restart(true);
        assertTrue(s.healthy());
        assertEquals("UUD", run(s, "---"), "enabled by the operator: the count starts again");
    }
}
