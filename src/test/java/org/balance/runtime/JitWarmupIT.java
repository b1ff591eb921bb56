package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.balance.log.StderrLog;
import org.balance.relay.Transport;
import org.balance.support.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The warm-up runs real sessions through the relay on loopback on the given event loops, within its budget, and
 * leaves nothing behind: no listening port, no session, no thread of its own, nothing logged; the event loops,
 * those that will serve, go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JitWarmupIT {

    /** This process's open sockets. */
    private static long sockets() {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (java.io.IOException gone) {
                    return false;
                }
            }).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runsSessionsOfEveryKindWithinItsBudgetAndLeavesNothingBehind() throws Exception {
        for (String name : Transport.NAMES) {
            Transport transport = Transport.named(name);
            EventLoopGroup loops = ProxyRuntime.newLoops(transport);
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            try {
                long before = sockets();
                JitWarmup.Result r = JitWarmup.run(transport, loops,
                        new StderrLog(new PrintStream(said, true, StandardCharsets.UTF_8), false), 1_000);
                assertTrue(r.sessions() >= JitWarmup.CONCURRENCY, name + ": " + r);
                assertTrue(r.requests() > r.sessions(), name + ": keep-alive sessions carry many requests: " + r);
                assertTrue(r.millis() < 5_000, name + ": " + r);
                Net.await(name + ": its sockets closed", java.time.Duration.ofSeconds(5), () -> sockets() == before);
                assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("balance-warmup-")).count(), name + ": its threads ended");
                assertEquals("", said.toString(StandardCharsets.UTF_8), name + ": nothing to say");
                assertFalse(loops.isShuttingDown(), name + ": the event loops serve on");
            } finally {
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }
}
