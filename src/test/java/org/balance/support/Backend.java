package org.balance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real loopback TCP server for tests, with a few behaviours. Binds port 0 unless told otherwise. */
public final class Backend implements AutoCloseable {

    /** What the server does with each accepted connection. */
    public interface Behaviour {
        void serve(Socket s, Backend self) throws IOException;
    }

    /** Echoes every byte back until the client ends its side, then ends its own. */
    public static final Behaviour ECHO = (s, self) -> {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
        s.shutdownOutput();
    };

    /** Sends its name and a newline, then echoes. */
    public static final Behaviour IDENTIFY = (s, self) -> {
        s.getOutputStream().write((self.name + "\n").getBytes(StandardCharsets.US_ASCII));
        ECHO.serve(s, self);
    };

    /** Answers each line {@code L} with {@code NAME:L}: a client learns which backend served it, a test every byte. */
    public static final Behaviour NAME_EACH_LINE = (s, self) -> {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = s.getOutputStream();
        for (String line; (line = in.readLine()) != null; ) {
            out.write((self.name + ":" + line + "\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    };

    /** Reads until the client half-closes, then answers with the byte count: needs a proxy that passes FIN on. */
    public static final Behaviour COUNT_THEN_ANSWER = (s, self) -> {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
        }
        s.getOutputStream().write(("got " + total + " bytes\n").getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
    };

    public final String name;
    private final ServerSocket server;
    private final Behaviour behaviour;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backend");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch acceptEnded = new java.util.concurrent.CountDownLatch(1);

    public Backend(String name, Behaviour behaviour) throws IOException {
        this(name, behaviour, InetAddress.getLoopbackAddress(), 0);
    }

    public Backend(String name, Behaviour behaviour, InetAddress address, int port) throws IOException {
        this.name = name;
        this.behaviour = behaviour;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port), 200);
        pool.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        try {
            serveAccepted();
        } finally {
            acceptEnded.countDown();
        }
    }

    private void serveAccepted() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            peers.add((InetSocketAddress) s.getRemoteSocketAddress());
            open.add(s);
            pool.execute(() -> {
                try (s) {
                    behaviour.serve(s, this);
                } catch (IOException ignored) {
                    // the test decides what a broken connection means
                } finally {
                    open.remove(s);
                }
            });
        }
    }

    /** Bytes a client receives from {@link #NAME_EACH_LINE} for sending {@code line}. */
    public int answerLength(String line) {
        return name.length() + 1 + line.length() + 1;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** host:port as a channel word. */
    public String channel() {
        String host = server.getInetAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Connections currently being served. */
    public int openConnections() {
        return open.size();
    }

    public List<InetSocketAddress> peers() {
        return peers;
    }

    /** Kills every open connection abruptly (RST), as a crashing server would. */
    public void resetAll() {
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /**
     * Stops accepting: once this returns the port is free again (the thread blocked in accept, which holds the
     * listening socket open, has left it); connections being served go on until their clients end them.
     */
    public void stopListening() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            if (!acceptEnded.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the accept thread of " + name + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        resetAll();
        pool.shutdownNow();
    }
}
