package org.balance.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void firstChecksAreSpreadOverTheIntervalEachAtARandomPointOfItsOwnSpace() {
        long interval = 1_000_000_000L;
        int n = 1000;
        Random random = new Random(42);
        TreeSet<Long> delays = new TreeSet<>();
        for (int k = 0; k < n; k++) {
            long d = HealthMonitor.firstDelay(k, n, interval, random.nextDouble());
            assertTrue(d >= k * interval / n && d < (k + 1) * interval / n, k + ": " + d);
            delays.add(d);
        }
        assertEquals(n, delays.size(), "no two at the same moment");
        assertEquals(0, HealthMonitor.firstDelay(0, 1, interval, 0.0));
        assertTrue(HealthMonitor.firstDelay(0, 1, interval, 0.999) < interval);
        long a = HealthMonitor.firstDelay(3, 8, interval, 0.1);
        long b = HealthMonitor.firstDelay(3, 8, interval, 0.9);
        assertEquals(0.8 / 8 * interval, b - a, 2.0, "the random part moves it within its space");
    }
}
