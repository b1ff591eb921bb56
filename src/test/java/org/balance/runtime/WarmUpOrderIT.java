package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.balance.support.Backend;
import org.balance.support.BalanceProcess;
import org.balance.support.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --warmup} runs once the instance is ready (its control socket up, its port bound) and before it accepts, so
 * that nothing the rest of the start loads changes the compiled code afterwards (see ProxyRuntime.warmUp); a client
 * that comes meanwhile waits in the kernel's queue and is served after the warm-up, not refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WarmUpOrderIT {
    private static final String BIND = "127.0.0.1";

    @TempDir
    Path dir;

    @Test
    void theWarmUpRunsWhenTheInstanceIsReadyAndAClientThatComesMeanwhileIsServedAfterIt() throws Exception {
        try (Backend backend = new Backend("a", Backend.IDENTIFY)) {
            int port = Net.freePort();
            BalanceProcess p = BalanceProcess.start(dir, Map.of(), "--warmup", "3", "-f", "-b", BIND,
                    String.valueOf(port), backend.channel());
            try {
                Path socket = dir.resolve("balance." + port + "." + BIND);
                Net.await("the control socket", Duration.ofSeconds(30), () -> Files.exists(socket) || !p.isAlive());
                assertTrue(p.isAlive(), p.stderr());
                assertFalse(p.stderr().contains("warm-up: "), "the control socket is up before the warm-up ends: " + p.stderr());
                try (Socket s = Net.connect(port)) {
                    s.setSoTimeout(30_000);
                    assertEquals("a", Net.readLine(s), "served once the warm-up is over");
                }
                assertTrue(p.stderr().contains("warm-up: "), "the warm-up came first: " + p.stderr());
            } finally {
                p.close();
            }
        }
    }
}
