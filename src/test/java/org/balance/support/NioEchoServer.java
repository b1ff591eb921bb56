package org.balance.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;

/** A single-threaded selector echo server on 127.0.0.1 that holds thousands of connections cheaply. */
public final class NioEchoServer implements AutoCloseable {
    private final Selector selector = Selector.open();
    private final ServerSocketChannel server = ServerSocketChannel.open();
    private final Thread thread;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean running = true;

    public NioEchoServer() throws IOException {
        server.bind(new InetSocketAddress("127.0.0.1", 0), 16384);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "nio-echo");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    public String channel() {
        return "127.0.0.1:" + port();
    }

    /** Connections currently open on the server side. */
    public int open() {
        return open.get();
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        while (running) {
            try {
                selector.select(200);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        for (SocketChannel c; (c = server.accept()) != null; ) {
                            c.configureBlocking(false);
                            c.register(selector, SelectionKey.OP_READ);
                            open.incrementAndGet();
                        }
                    } else if (key.isReadable()) {
                        SocketChannel c = (SocketChannel) key.channel();
                        buf.clear();
                        int n;
                        try {
                            n = c.read(buf);
                        } catch (IOException reset) {
                            n = -1;
                        }
                        if (n < 0) {
                            key.cancel();
                            c.close();
                            open.decrementAndGet();
                        } else {
                            buf.flip();
                            c.write(buf); // small test messages: the send buffer always has room
                        }
                    }
                }
            } catch (IOException e) {
                if (running) {
                    throw new RuntimeException(e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        selector.close();
        server.close();
    }
}
