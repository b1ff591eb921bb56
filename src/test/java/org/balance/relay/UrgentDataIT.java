package org.balance.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.balance.balancing.Destination;
import org.balance.support.InProcessBalance;
import org.balance.support.Net;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Urgent (out-of-band) data, both ways: a client and a server written in Python (Java cannot read urgent data)
 * each send ordinary bytes with two urgent bytes among them and print what they read, urgent bytes in brackets,
 * as SIOCATMARK places them. On epoll the urgent bytes arrive as urgent data in their place; on NIO, which
 * cannot see them, they arrive in their place as ordinary data, and {@code -d} says so. Either way they are
 * counted in sent/rcvd and shown in the {@code -p} dump.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UrgentDataIT {
    private static final String CLIENT_SENDS = "abc[!]defgh[#]ij";
    private static final String SERVER_SENDS = "uvw[?]xyzk[%]lm";

    static List<Transport> transports() {
        return RelayIntegrityIT.transports();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void urgentBytesKeepTheirPlaceBothWays(Transport transport) throws Exception {
        Process server = peer("listen");
        try (BufferedReader serverOut = reader(server)) {
            int serverPort = Integer.parseInt(serverOut.readLine());
            try (InProcessBalance balance = InProcessBalance.start(transport, List.of("-d", "-p"),
                    "127.0.0.1:" + serverPort)) {
                Process client = peer("connect", String.valueOf(balance.port));
                String clientGot;
                try (BufferedReader clientOut = reader(client)) {
                    clientGot = clientOut.readLine();
                }
                String serverGot = serverOut.readLine();
                assertTrue(client.waitFor(20, TimeUnit.SECONDS) && client.exitValue() == 0, "client peer failed");

                boolean urgent = transport.isEpoll();
                assertEquals(urgent ? CLIENT_SENDS : inline(CLIENT_SENDS), serverGot, "client to server; dump:\n" + balance.stdout());
                assertEquals(urgent ? SERVER_SENDS : inline(SERVER_SENDS), clientGot, "server to client; dump:\n" + balance.stdout());

                Destination channel = balance.channel(0, 0);
                Net.await("the session to end", Duration.ofSeconds(10), () -> channel.currentConnections() == 0);
                assertEquals(inline(CLIENT_SENDS).length(), channel.bytesSent(), "sent counts the urgent bytes");
                assertEquals(inline(SERVER_SENDS).length(), channel.bytesReceived(), "rcvd counts the urgent bytes");

                String dump = balance.stdout();
                if (urgent) {
                    for (String marked : List.of("-> 1 urgent\n!\n", "-> 1 urgent\n#\n", "-< 1 urgent\n?\n",
                            "-< 1 urgent\n%\n")) {
                        assertTrue(dump.contains(marked), "dump lacks [" + marked + "]:\n" + dump);
                    }
                    assertTrue(balance.stderr().contains("urgent data: forwarded as urgent data"), balance.stderr());
                } else {
                    assertEquals(inline(CLIENT_SENDS), dumped(dump, "-> "), "client's bytes in the dump");
                    assertEquals(inline(SERVER_SENDS), dumped(dump, "-< "), "server's bytes in the dump");
                    assertTrue(balance.stderr().contains("urgent data: forwarded inline, as ordinary data"),
                            balance.stderr());
                }
            }
            assertTrue(server.waitFor(20, TimeUnit.SECONDS) && server.exitValue() == 0, "server peer failed");
        } finally {
            server.destroyForcibly();
        }
    }

    private static String inline(String marked) {
        return marked.replace("[", "").replace("]", "");
    }

    /** The bytes of one direction's dump chunks, in order (each chunk here is one short line). */
    private static String dumped(String dump, String header) {
        StringBuilder sb = new StringBuilder();
        String[] lines = dump.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(header) && !lines[i].equals(header + "0")) {
                sb.append(lines[i + 1]);
            }
        }
        return sb.toString();
    }

    private static Process peer(String... args) throws IOException {
        Path script;
        try {
            script = Path.of(UrgentDataIT.class.getResource("/oob/urgent-peer.py").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> command = new java.util.ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1));
    }
}
