package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import org.balance.support.Backend;
import org.balance.support.Exposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Through bin/balance: {@code --stats} keeps the launcher starting a proxy, and {@code -c json} answers. */
@Timeout(120)
class StatsControlIT {

    @Test
    void jsonCommandAndMetricsOfARealProcess(@TempDir Path run) throws Exception {
        int statsPort = Balance.freePort();
        try (Backend a = new Backend("a", Backend.ECHO);
             Balance b = Balance.start(run, "--stats", "127.0.0.1:" + statsPort, a.channel())) {
            String json = b.answer("json");
            assertTrue(json.startsWith("{\"version\":\"4.0\",\"pid\":" + b.pid() + ","), json);
            assertTrue(json.contains("\"port\":" + a.port() + ",\"state\":\"ENA\""), json);
            assertTrue(json.endsWith("}\n") && json.indexOf('\n') == json.length() - 1, "one line");
            assertTrue(b.answer("j").startsWith("{\"version\":\"4.0\""), "j abbreviates json");

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + statsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Exposition m = Exposition.parse(r.body());
            assertEquals(1, m.value("balance_channel_state", "channel", "0", "state", "enabled"));
            assertTrue(Files.exists(run.resolve("balance." + b.port() + ".127.0.0.1.token")));
        }
    }

    /**
     * The control socket appears only once the instance has started completely, so that scripts (and this
     * suite's helper) may take it as the sign that it serves: a statistics port that cannot be bound stops the
     * start before the socket is published, not after.
     */
    @Test
    void noControlSocketAppearsWhenTheStatisticsPortIsTaken(@TempDir Path run) throws Exception {
        try (Backend a = new Backend("a", Backend.ECHO);
             ServerSocket taken = new ServerSocket();
             WatchService watch = run.getFileSystem().newWatchService()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            run.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            int port = Balance.freePort();
            Balance.Result r = Balance.run(null, run, Map.of(), "-f", "-b", Balance.BIND, String.valueOf(port),
                    "--stats", "127.0.0.1:" + taken.getLocalPort(), a.channel());
            assertEquals(71, r.status(), r.err());
            assertTrue(r.err().contains("statistics endpoint [127.0.0.1:" + taken.getLocalPort() + "]"), r.err());
            List<String> created = new ArrayList<>();
            for (var key = watch.poll(); key != null; key = watch.poll()) {
                for (WatchEvent<?> e : key.pollEvents()) {
                    created.add(String.valueOf(e.context()));
                }
                key.reset();
            }
            assertTrue(created.stream().noneMatch(name -> name.startsWith("balance." + port)),
                    "published before the start failed: " + created);
        }
    }
}
