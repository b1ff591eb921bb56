package org.balance.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.util.internal.logging.InternalLogger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyLogTest {

    @Test
    void fillsPlaceholdersInOrderAndAppendsALeftOverThrowable() {
        assertEquals("a 1 b 2", NettyLog.format("a {} b {}", 1, 2));
        assertEquals("x y: java.lang.IllegalStateException: boom",
                NettyLog.format("x {}", "y", new IllegalStateException("boom")));
        assertEquals("1 {}", NettyLog.format("{} {}", 1));
        assertEquals("{} in a value", NettyLog.format("{}", "{} in a value"));
        assertEquals("plain", NettyLog.format("plain"));
    }

    @Test
    void warningsAreErrorsInformationIsANoticeDebugIsDropped() {
        List<String> lines = new ArrayList<>();
        Log recorder = new Log() {
            @Override public boolean isDebug() { return true; }
            @Override public void debug(String message) { lines.add("debug " + message); }
            @Override public void notice(String message) { lines.add("notice " + message); }
            @Override public void error(String message) { lines.add("error " + message); }
        };
        InternalLogger logger = new NettyLog().newInstance("io.netty.Test");
        logger.warn("before {}", "the log");
        NettyLog.routeTo(recorder);
        logger.debug("chatter {}", 1);
        logger.info("noted");
        logger.error("failed", new RuntimeException("why"));
        assertFalse(logger.isDebugEnabled());
        assertEquals(List.of("error netty: before the log", "notice netty: noted",
                "error netty: failed: java.lang.RuntimeException: why"), lines);
    }
}
