package org.balance.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A server that hangs: it listens but never accepts, and its accept queue is full, so the kernel drops
 * new SYNs and a connect to it times out, as with a server that is alive but stuck.
 */
public final class HungListener implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    /** Listens on loopback {@code port} (0: any free port) and fills the accept queue. */
    public HungListener(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(server.getLocalSocketAddress(), 300);
                fillers.add(s);
            } catch (IOException e) {
                s.close();
                return; // the queue is full: this SYN was dropped
            }
        }
        close();
        throw new IOException("the accept queue of port " + port + " never filled");
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        server.close();
    }
}
