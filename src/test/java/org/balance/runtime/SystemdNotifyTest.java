package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.balance.support.NotifyReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifyTest {
    private static final long WAIT_NANOS = 5_000_000_000L;

    @TempDir
    Path dir;

    /** The test's systemd: datagrams within five seconds. */
    private static final class Receiver implements AutoCloseable {
        private final NotifyReceiver socket;

        Receiver(String address) throws IOException {
            socket = new NotifyReceiver(address);
        }

        String receive() throws Exception {
            return socket.receive(WAIT_NANOS / 1_000_000);
        }

        String poll() throws IOException {
            return socket.poll();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void eachNotificationIsOneDatagramOfKeyValueLines() throws Exception {
        assumeTrue(Epoll.isAvailable());
        String path = dir.resolve("notify").toString();
        try (Receiver systemd = new Receiver(path);
                SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, path))) {
            assertTrue(notify.isEnabled());

            notify.ready("serving 3 sessions");
            assertEquals("READY=1\nSTATUS=serving 3 sessions\n", systemd.receive());
            notify.ready(null);
            assertEquals("READY=1\n", systemd.receive());

            long before = System.nanoTime() / 1000;
            notify.reloading("re-reading");
            long after = System.nanoTime() / 1000;
            String received = systemd.receive();
            Matcher reloading = Pattern.compile("RELOADING=1\nMONOTONIC_USEC=(\\d+)\nSTATUS=re-reading\n").matcher(received);
            assertTrue(reloading.matches(), received);
            long stamp = Long.parseLong(reloading.group(1));
            assertTrue(before <= stamp && stamp <= after, before + " <= " + stamp + " <= " + after);
            notify.reloading(null);
            assertTrue(systemd.receive().matches("RELOADING=1\nMONOTONIC_USEC=\\d+\n"));

            notify.stopping("shutting down");
            assertEquals("STOPPING=1\nSTATUS=shutting down\n", systemd.receive());
            notify.stopping(null);
            assertEquals("STOPPING=1\n", systemd.receive());

            notify.status("3 sessions\nREADY=1\r\n");
            assertEquals("STATUS=3 sessions READY=1  \n", systemd.receive(), "a line break cannot start a key");
            notify.send("WATCHDOG=1\n");
            assertEquals("WATCHDOG=1\n", systemd.receive());
            assertNull(systemd.poll(), "one datagram per notification");
        }
    }

    @Test
    void anAbstractAddressIsReachedThroughItsLeadingNul() throws Exception {
        assumeTrue(Epoll.isAvailable());
        String name = "balance-test-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        try (Receiver systemd = new Receiver("\0" + name);
                SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, "@" + name))) {
            assertTrue(notify.isEnabled());
            notify.ready("up");
            assertEquals("READY=1\nSTATUS=up\n", systemd.receive());
        }
        assertFalse(Files.exists(Path.of(name)), "no file named after it in the working directory");
    }

    @Test
    void theAddressIsAPathOrAnAbstractNameThatFitsInSunPath() {
        byte[] abstractName = SystemdNotify.address("@x");
        assertArrayEquals(new byte[] {0, 'x'}, abstractName);
        assertArrayEquals("/run/systemd/notify".getBytes(StandardCharsets.US_ASCII),
                SystemdNotify.address("/run/systemd/notify"));
        assertNull(SystemdNotify.address(null));
        assertNull(SystemdNotify.address(""));
        assertNull(SystemdNotify.address("relative/path"));
        assertNull(SystemdNotify.address("vsock:2:1234"), "systemd 254's vsock addresses are not for us");
        assertNotNull(SystemdNotify.address("/" + "x".repeat(106)), "107 bytes and the NUL");
        assertNull(SystemdNotify.address("/" + "x".repeat(107)), "no room for the NUL");
        assertNotNull(SystemdNotify.address("@" + "x".repeat(107)), "an abstract name needs no NUL");
        assertNull(SystemdNotify.address("@" + "x".repeat(108)));
    }

    @Test
    void withoutAUsableSocketNothingIsSentAndNothingThrows() {
        for (SystemdNotify notify : new SystemdNotify[] {
                SystemdNotify.none(),
                SystemdNotify.fromEnvironment(Map.of()),
                SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, "")),
                SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, "relative/path")),
                SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, "/" + "x".repeat(200)))}) {
            assertSame(SystemdNotify.none(), notify);
            assertFalse(notify.isEnabled());
            sendEverything(notify);
            notify.close();
            notify.close();
            assertFalse(notify.isEnabled());
        }
    }

    @Test
    void nobodyListeningIsNotAnError() throws Exception {
        assumeTrue(Epoll.isAvailable());
        String missing = dir.resolve("missing").toString();
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, missing))) {
            assertTrue(notify.isEnabled());
            sendEverything(notify); // ENOENT
        }
        String gone = dir.resolve("gone").toString();
        new Receiver(gone).close(); // the socket file stays, nobody reads it
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, gone))) {
            sendEverything(notify); // ECONNREFUSED
        }
        try (SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, "@" + UUID.randomUUID()))) {
            sendEverything(notify);
        }
    }

    @Test
    void aFullQueueDropsMessagesInsteadOfBlocking() throws Exception {
        assumeTrue(Epoll.isAvailable());
        String path = dir.resolve("slow").toString();
        try (Receiver systemd = new Receiver(path);
                SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, path))) {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                notify.status("message " + i);
            }
            assertTrue(System.nanoTime() - start < WAIT_NANOS, "sends do not wait for the reader");
            assertEquals("STATUS=message 0\n", systemd.receive());
        }
    }

    @Test
    void afterCloseMessagesAreDropped() throws Exception {
        assumeTrue(Epoll.isAvailable());
        String path = dir.resolve("notify").toString();
        try (Receiver systemd = new Receiver(path)) {
            SystemdNotify notify = SystemdNotify.fromEnvironment(Map.of(SystemdNotify.ENV, path));
            notify.status("open");
            assertEquals("STATUS=open\n", systemd.receive());
            notify.close();
            assertFalse(notify.isEnabled());
            sendEverything(notify);
            notify.close();
            assertNull(systemd.poll(), "a send is queued before it returns, so nothing more will come");
        }
    }

    private static void sendEverything(SystemdNotify notify) {
        notify.ready("ready");
        notify.ready(null);
        notify.reloading("reloading");
        notify.stopping("stopping");
        notify.status("status\nwith a break");
        notify.send("WATCHDOG=1\n");
        notify.send(null);
        notify.send("");
    }
}
