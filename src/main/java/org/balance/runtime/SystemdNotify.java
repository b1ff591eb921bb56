package org.balance.runtime;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tells systemd how the service is doing (sd_notify without libsystemd): each message is one datagram of
 * newline-separated {@code KEY=VALUE} lines sent to the Unix socket named by {@code NOTIFY_SOCKET}, a path
 * ({@code /run/systemd/notify}) or, starting with {@code @}, a Linux abstract address.
 *
 * <p>Netty's epoll library does the sending ({@link Socket#sendToDomainSocket} takes the raw sun_path bytes and
 * gives the kernel exactly their length, so a leading NUL makes an abstract address). The socket is non-blocking
 * and unconnected; a message systemd cannot take (gone, not listening, queue full) is dropped and never stops or
 * slows the proxy. Without epoll, or without a usable {@code NOTIFY_SOCKET}, everything is a no-op. Thread-safe.
 */
public final class SystemdNotify implements AutoCloseable {
    public static final String ENV = "NOTIFY_SOCKET";
    /** sizeof(sun_path) on Linux (Netty's Socket.UDS_SUN_PATH_SIZE says 100, the portable minimum). */
    private static final int SUN_PATH = 108;
    private static final SystemdNotify NONE = new SystemdNotify(null);

    /** The sun_path bytes, a leading NUL for an abstract address; null when disabled. */
    private final byte[] address;
    private final Object lock = new Object();
    /** Opened on the first send; guarded by lock, so a close never frees a descriptor a send is using. */
    private Socket socket;
    private boolean closed;

    private SystemdNotify(byte[] address) {
        this.address = address;
    }

    /** Notifies the socket {@code env} names in {@value #ENV}; {@link #none()} if unset, unusable or without epoll. */
    public static SystemdNotify fromEnvironment(Map<String, String> env) {
        byte[] address = address(env.get(ENV));
        // the address first: without NOTIFY_SOCKET the native library is not loaded for this
        return address == null || !Epoll.isAvailable() ? NONE : new SystemdNotify(address);
    }

    /** Notifications that go nowhere. */
    public static SystemdNotify none() {
        return NONE;
    }

    /** True when messages are sent: a usable {@code NOTIFY_SOCKET}, epoll, and not closed. */
    public boolean isEnabled() {
        synchronized (lock) {
            return address != null && !closed;
        }
    }

    /** Start-up is finished and the proxy serves; {@code status} (may be null) is shown by systemctl status. */
    public void ready(String status) {
        send("READY=1\n" + statusLine(status));
    }

    /**
     * A reload begins; systemd 253 and later ({@code Type=notify-reload}) want it stamped with CLOCK_MONOTONIC,
     * older ones ignore the stamp. Send {@link #ready} when it is done.
     */
    public void reloading(String status) {
        // HotSpot's System.nanoTime() on Linux is clock_gettime(CLOCK_MONOTONIC), the clock systemd compares with;
        // this class only sends with epoll, that is on Linux
        long monotonicMicros = System.nanoTime() / 1000;
        send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros + "\n" + statusLine(status));
    }

    /** The proxy is shutting down. */
    public void stopping(String status) {
        send("STOPPING=1\n" + statusLine(status));
    }

    /** A new one-line status text. */
    public void status(String status) {
        send(statusLine(status));
    }

    /** Sends {@code message} as it is, for keys without a method of their own ({@code WATCHDOG=1\n}). */
    public void send(String message) {
        if (address == null || message == null || message.isEmpty()) {
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        // the native send reads the buffer's memory directly: it must be a direct buffer
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                if (socket == null) {
                    socket = Socket.newSocketDomainDgram();
                }
                // returns 0 on EAGAIN (systemd's queue is full): the message is dropped
                socket.sendToDomainSocket(buffer, 0, bytes.length, address);
            } catch (IOException | RuntimeException e) {
                // ENOENT, ECONNREFUSED, EMSGSIZE, no descriptor left: systemd does without this message
            }
        }
    }

    /** Closes the socket; later messages are dropped. */
    @Override
    public void close() {
        if (address == null) {
            return; // none() is shared and has nothing to close
        }
        synchronized (lock) {
            closed = true;
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // nothing to do about it
                }
                socket = null;
            }
        }
    }

    /** {@code STATUS=<status>\n} with line breaks turned into spaces (they would start a new key), or "" for null. */
    static String statusLine(String status) {
        return status == null ? "" : "STATUS=" + status.replace('\n', ' ').replace('\r', ' ') + "\n";
    }

    /**
     * The sun_path bytes for a {@code NOTIFY_SOCKET} value, or null when it is not usable: not absolute, not
     * abstract, or too long. As sd_notify: a path needs room for its NUL, an abstract name does not.
     */
    static byte[] address(String value) {
        if (value == null || value.isEmpty() || value.indexOf('\0') >= 0) {
            return null;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes[0] == '@') {
            bytes[0] = 0;
            return bytes.length <= SUN_PATH ? bytes : null;
        }
        return bytes[0] == '/' && bytes.length < SUN_PATH ? bytes : null;
    }
}
