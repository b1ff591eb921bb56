package org.balance.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
