package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthReadinessLivenessAndPrometheusMetricsOnLoopback() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("device_count", 3);
        health.put("temperature_c", null);
        Map<String, Object> alert = new LinkedHashMap<>(); // ordered: the JSON text is compared
        alert.put("tier", "WARNING");
        alert.put("cause", "memory \"high\"\n");
        health.put("alerts", List.of(alert));
        PrometheusMetrics metrics = new PrometheusMetrics(() -> Map.of("device_count", 3L, "pings_sent_total", 12345L,
                "cpu_temp_c", Double.NaN, "influxdb_ok", true, "heap_used_pct", 12.5),
                () -> List.of(new dev.netscan.core.governor.ActiveAlert("disk_full", dev.netscan.core.governor.AlertTier.CRITICAL,
                        "data_dir full", java.time.Instant.EPOCH)), new DeviceHistory(false), List::of);
        try (HealthServer s = HealthServer.start(HttpSettings.defaults(), 0, () -> health, ready::get, metrics, x -> {})) {
            HttpResponse<String> h = get(s.port(), "/health");
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(h.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(h.body()).isEqualTo("{\"status\":\"ok\",\"device_count\":3,\"temperature_c\":null,"
                    + "\"alerts\":[{\"tier\":\"WARNING\",\"cause\":\"memory \\\"high\\\"\\n\"}]}");

            assertThat(get(s.port(), "/health/ready").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(s.port(), "/health/ready").statusCode()).isEqualTo(200);
            assertThat(get(s.port(), "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(s.port(), "/nope").statusCode()).isEqualTo(404);

            String prom = get(s.port(), "/metrics").body();
            assertThat(prom).contains("# HELP netscan_pings_sent_total Monitoring pings sent.\n"
                            + "# TYPE netscan_pings_sent_total counter\nnetscan_pings_sent_total 12345.0\n")
                    .contains("netscan_devices 3.0\n")
                    .contains("netscan_database_up 1.0\n")
                    .contains("netscan_jvm_heap_used_ratio 0.125\n")
                    .contains("netscan_alert_active{cause=\"disk_full\",tier=\"CRITICAL\"} 1.0\n")
                    .doesNotContain("temperature");
        }
    }

    @Test
    void jsonEscapesControlCharactersAndLoneSurrogates() {
        assertThat(Json.write("a\u0000b\u001fc\ud800")).isEqualTo("\"a\\u0000b\\u001fc\\ud800\"");
        assertThat(Json.write("ok \ud83d\ude00")).isEqualTo("\"ok \ud83d\ude00\"");
        assertThat(Json.write(Map.of("x", Double.POSITIVE_INFINITY))).isEqualTo("{\"x\":null}");
        assertThat(Json.write(List.of(1.5, 2.0, true))).isEqualTo("[1.5,2,true]");
    }
}
