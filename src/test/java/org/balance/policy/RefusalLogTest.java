package org.balance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RefusalLogTest {
    @Test
    void oneLinePerSourcePerIntervalThenHowManyMore() {
        RefusalLog log = new RefusalLog(10_000);
        assertEquals("refused client 10.0.0.1: over --source-limit 2", log.refused("10.0.0.1", "over --source-limit 2", 1_000));
        for (int i = 0; i < 5; i++) {
            assertNull(log.refused("10.0.0.1", "over --source-limit 2", 2_000 + i));
        }
        assertNotNull(log.refused("10.0.0.2", "not allowed", 2_000), "another source has its own line");
        assertNull(log.refused("10.0.0.1", "x", 10_999));
        assertEquals("refused client 10.0.0.1: over --source-limit 2 (6 more refused since the last line)",
                log.refused("10.0.0.1", "over --source-limit 2", 11_000));
        assertEquals("refused client 10.0.0.1: y", log.refused("10.0.0.1", "y", 30_000));
    }
}
