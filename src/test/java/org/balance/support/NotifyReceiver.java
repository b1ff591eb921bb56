package org.balance.support;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What systemd does with {@code NOTIFY_SOCKET}: a datagram Unix socket bound to an address, read without blocking.
 * Every datagram received is kept, in order.
 */
public final class NotifyReceiver implements AutoCloseable {
    private final Socket socket;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    private final List<String> received = new ArrayList<>();

    public NotifyReceiver(String address) throws IOException {
        Epoll.ensureAvailability();
        socket = Socket.newSocketDomainDgram();
        socket.bind(new DomainSocketAddress(address));
    }

    /** The next datagram, waiting at most {@code millis} for it. */
    public String receive(long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        String message;
        while ((message = poll()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no datagram within " + millis + " ms; received so far: " + received);
            }
            Thread.sleep(5);
        }
        return message;
    }

    /** Datagrams until one contains {@code text}, which is returned; fails after {@code millis}. */
    public String awaitContaining(String text, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            String m = receive(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (m.contains(text)) {
                return m;
            }
        }
    }

    /** A datagram already queued, or null. */
    public String poll() throws IOException {
        buffer.clear();
        DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buffer, 0, buffer.capacity());
        if (from == null) {
            return null;
        }
        byte[] bytes = new byte[from.receivedAmount()];
        buffer.get(0, bytes);
        String message = new String(bytes, StandardCharsets.UTF_8);
        synchronized (received) {
            received.add(message);
        }
        return message;
    }

    /** Every datagram received so far, in order. */
    public List<String> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
