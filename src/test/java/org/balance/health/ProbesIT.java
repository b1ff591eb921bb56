package org.balance.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Endpoint;
import org.balance.relay.Transport;
import org.balance.support.Backend;
import org.balance.support.HungListener;
import org.balance.support.Net;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of check against real loopback servers that answer right, wrong, late or not at all. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbesIT {
    private static EventLoopGroup loops;
    private final Checker checker = new Checker(Transport.detect(), null);

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoops() {
        loops = Transport.detect().newGroup(1, new DefaultThreadFactory("probes-it", true));
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeChecker() {
        checker.close();
    }

    private static Endpoint at(int port) {
        return Endpoint.of("127.0.0.1", InetAddress.getLoopbackAddress(), port);
    }

    private CheckResult check(int port, String spec) throws Exception {
        CheckPlan plan = HealthConfig.of(List.of(new HealthConfig.Spec(HealthConfig.Form.CHECK, CheckSpec.parse(spec))), 5_000)
                .plan(0, 0);
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        checker.run(loops.next(), at(port), plan, r -> {
            assertTrue(loops.next().inEventLoop(), "results are reported on the loop");
            result.complete(r);
        });
        return result.get(20, TimeUnit.SECONDS);
    }

    /** Answers each line with {@code answer(line)}. */
    private static Backend.Behaviour lines(java.util.function.UnaryOperator<String> answer) {
        return (s, self) -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write(answer.apply(line).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }

    /** Writes a banner at once, then waits for the client to go. */
    private static Backend.Behaviour banner(String text) {
        return (s, self) -> {
            s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.getInputStream().read();
        };
    }

    /** Reads an HTTP request head, answers with {@code status} and closes. */
    private static Backend.Behaviour http(String status) {
        return (s, self) -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                // the request head
            }
            s.getOutputStream().write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
        };
    }

    @Test
    void connectPassesOnAListeningPortAndARefusedConnectFails() throws Exception {
        try (Backend up = new Backend("up", Backend.ECHO)) {
            CheckResult r = check(up.port(), "connect");
            assertTrue(r.passed(), r.toString());
            assertEquals("ok", r.reason());
        }
        CheckResult refused = check(Net.freePort(), "connect");
        assertEquals(CheckResult.Outcome.FAIL, refused.outcome());
        assertEquals("refused", refused.reason());
    }

    @Test
    void aServerWithAFullAcceptQueueTimesOutWithinTheTimeout() throws Exception {
        try (HungListener hung = new HungListener(0)) {
            CheckResult r = check(hung.port(), "connect:timeout=300ms");
            assertEquals(CheckResult.Outcome.FAIL, r.outcome());
            assertEquals("timeout", r.reason());
            assertTrue(r.millis() >= 290 && r.millis() < 2_000, r.toString());
        }
    }

    @Test
    void redisPingPong() throws Exception {
        try (Backend redis = new Backend("redis", lines(l -> l.equals("PING") ? "+PONG\r\n" : "-ERR unknown\r\n"));
             Backend broken = new Backend("broken", lines(l -> "-LOADING Redis is loading\r\n"))) {
            assertTrue(check(redis.port(), "send=PING\\r\\n:expect=+PONG").passed());
            CheckResult r = check(broken.port(), "send=PING\\r\\n:expect=+PONG");
            assertEquals(CheckResult.Outcome.FAIL, r.outcome());
            assertEquals("unexpected reply `-LOADING Redis is loading\\r\\n`", r.reason());
            assertTrue(r.millis() < 1_000, "a wrong first byte decides at once: " + r);
        }
    }

    @Test
    void smtpBanner() throws Exception {
        try (Backend mail = new Backend("mail", banner("220 mail.example ESMTP\r\n"));
             Backend refusing = new Backend("refusing", banner("554 no service\r\n"))) {
            assertTrue(check(mail.port(), "expect=220").passed());
            assertEquals("unexpected reply `554 no service\\r\\n`", check(refusing.port(), "expect=220").reason());
        }
    }

    @Test
    void httpHealthWithARegularExpression() throws Exception {
        String spec = "send=GET /health HTTP/1.0\\r\\nHost\\: backend\\r\\n\\r\\n:expect-regex=^HTTP/1\\.[01] 200";
        try (Backend ok = new Backend("ok", http("200 OK"));
             Backend sick = new Backend("sick", http("503 Service Unavailable"))) {
            assertTrue(check(ok.port(), spec).passed());
            CheckResult r = check(sick.port(), spec);
            assertEquals(CheckResult.Outcome.FAIL, r.outcome());
            assertTrue(r.reason().startsWith("unexpected reply `HTTP/1.1 503 Service Unavailable\\r\\n"), r.reason());
        }
    }

    @Test
    void aServerThatSaysNothingOrHangsUp() throws Exception {
        try (Backend silent = new Backend("silent", (s, self) -> s.getInputStream().readAllBytes());
             Backend rude = new Backend("rude", (s, self) -> s.close())) {
            CheckResult r = check(silent.port(), "send=PING\\r\\n:expect=+PONG:timeout=300ms");
            assertEquals("timeout waiting for a reply", r.reason());
            assertTrue(r.millis() >= 290 && r.millis() < 2_000, r.toString());
            assertEquals("closed without a reply", check(rude.port(), "expect=220").reason());
        }
    }

    @Test
    void aCheckPortOtherThanTheServicePort() throws Exception {
        try (Backend health = new Backend("health", Backend.ECHO)) {
            int service = Net.freePort();
            assertTrue(check(service, "connect:port=" + health.port()).passed(), "the service port is not asked");
            assertEquals("refused", check(health.port(), "connect:port=" + service).reason());
        }
    }

    @Test
    void commandWithAddressPortAndPassCodes() throws Exception {
        Path out = dir.resolve("args");
        CheckResult r = check(4321, "command=echo %H %P %% %X > " + out + "; exit 3:pass=0,3");
        assertTrue(r.passed(), r.toString());
        assertEquals("127.0.0.1 4321 % %X\n", Files.readString(out));
        CheckResult fail = check(4321, "command=exit 3");
        assertEquals(CheckResult.Outcome.FAIL, fail.outcome());
        assertEquals("exit code 3", fail.reason());
        assertEquals("exit code 127", check(4321, "command=/no/such/program").reason());
    }

    @Test
    void aCommandIsKilledAtItsTimeoutWithWhatItStarted() throws Exception {
        Path pids = dir.resolve("pids");
        CheckResult r = check(1, "command=sleep 30 & echo $! > " + pids + "; echo $$ >> " + pids + "; wait:timeout=500ms");
        assertEquals(CheckResult.Outcome.FAIL, r.outcome());
        assertEquals("timeout, killed", r.reason());
        assertTrue(r.millis() >= 490 && r.millis() < 3_000, r.toString());
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertEquals(2, started.size());
        Net.await("the shell and its sleep gone", Duration.ofSeconds(5),
                () -> started.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    @Test
    void actionsRunInOrderAndStopAtTheFirstFailure() throws Exception {
        Path touched = dir.resolve("touched");
        CheckResult r = check(Net.freePort(), "connect:command=touch " + touched);
        assertEquals("refused", r.reason());
        assertFalse(Files.exists(touched), "the command after a failed connect never ran");
        try (Backend up = new Backend("up", Backend.ECHO)) {
            assertTrue(check(up.port(), "connect:command=touch " + touched).passed());
            assertTrue(Files.exists(touched));
        }
    }
}
