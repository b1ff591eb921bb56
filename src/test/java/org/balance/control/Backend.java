package org.balance.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback backend for the integration tests: answers each line {@code L} with {@code NAME:L\n}, so a client
 * knows which backend served it and the test knows every byte that flowed.
 */
final class Backend implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backend");
        t.setDaemon(true);
        return t;
    });

    Backend(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        threads.execute(this::acceptLoop);
    }

    String name() {
        return name;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Bytes a client receives for sending {@code line}. */
    int answerLength(String line) {
        return name.length() + 1 + line.length() + 1;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                out.write((name + ":" + line + "\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException ignored) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
