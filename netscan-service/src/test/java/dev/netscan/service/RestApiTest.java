package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.NetscanConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of a real running service on loopback, over java.net.http. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SuppressWarnings("unchecked")
class RestApiTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> json(HttpResponse<String> r) throws Exception {
        return JSON.std.mapFrom(r.body());
    }

    @Test
    void readEndpointsServeTheDevicesOfTheRunningService(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.1.0/29").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).build())) {
            s.sweepNow();
            int port = s.httpPort().orElseThrow();
            assertThat(TestServices.await(Duration.ofSeconds(15), () -> s.schedulerCounters().replies() >= 6)).isTrue();

            Map<String, Object> status = json(send(port, "GET", "/api/v1/status", null, null));
            assertThat(status).containsEntry("version", NetscanService.version()).containsEntry("active_scans", 0)
                    .containsKeys("uptime_s", "health");

            HttpResponse<String> page = send(port, "GET", "/api/v1/devices?limit=2&sort=address&order=desc", null, null);
            assertThat(page.statusCode()).isEqualTo(200);
            Map<String, Object> p = json(page);
            assertThat(p).containsEntry("total", 6).containsEntry("limit", 2);
            List<?> rows = (List<?>) p.get("devices");
            assertThat(rows).hasSize(2);
            assertThat((Map<String, Object>) rows.get(0)).containsEntry("address", "127.0.1.6").containsEntry("state", "up");

            Map<String, Object> filtered = json(send(port, "GET", "/api/v1/devices?q=1.3", null, null));
            assertThat(filtered).containsEntry("total", 1);

            assertThat(send(port, "GET", "/api/v1/devices?sort=color", null, null).statusCode()).isEqualTo(400);
            assertThat(send(port, "GET", "/api/v1/devices?limit=100000", null, null).statusCode()).isEqualTo(400);

            Map<String, Object> one = json(send(port, "GET", "/api/v1/devices/127.0.1.1", null, null));
            assertThat(one).containsEntry("address", "127.0.1.1").containsKey("last_rtt_ms");
            assertThat((List<?>) one.get("history")).isNotEmpty();
            assertThat(send(port, "GET", "/api/v1/devices/127.0.9.9", null, null).statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/api/v1/devices/not-an-ip", null, null).statusCode()).isEqualTo(400);

            assertThat(json(send(port, "GET", "/api/v1/alerts", null, null))).containsKey("alerts");
            Map<String, Object> events = json(send(port, "GET", "/api/v1/events", null, null));
            assertThat((List<?>) events.get("events")).hasSize(6).allSatisfy(e -> assertThat((Map<String, Object>) e).containsEntry("type", "new"));

            Map<String, Object> openapi = json(send(port, "GET", "/api/v1/openapi.json", null, null));
            assertThat(openapi).containsEntry("openapi", "3.0.3");
            assertThat(((Map<?, ?>) openapi.get("paths")).keySet()).map(Object::toString).contains("/status", "/devices", "/devices/{ip}", "/alerts", "/scans", "/scans/{id}");

            assertThat(send(port, "POST", "/api/v1/devices", "{}", null).statusCode()).isEqualTo(405);
            assertThat(send(port, "GET", "/api/v1/nothing", null, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void remoteScansRunInsideTheConfiguredNetworksUnderTheCaps(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.2.0/28").build();
        HttpSettings settings = HttpSettings.builder().scanAllowed("127.0.3.0/29").resultTtl(Duration.ofSeconds(2)).build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).httpSettings(settings).build())) {
            int port = s.httpPort().orElseThrow();

            // refused before any cap counts: outside the networks, malformed, too fast, unknown field
            HttpResponse<String> outside = send(port, "POST", "/api/v1/scans", "{\"targets\":[\"10.0.0.0/24\"]}", null);
            assertThat(outside.statusCode()).isEqualTo(403);
            assertThat(json(outside).get("error").toString()).contains("10.0.0.0/24").contains("outside");
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.0/24\"]}", null).statusCode())
                    .as("wider than the configured /28").isEqualTo(403);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.0/2", null).statusCode()).isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", "[1,2]", null).statusCode()).isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.0/29\"],\"rate_pps\":1000000}", null).statusCode()).isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.0/29\"],\"ports\":[22]}", null).statusCode()).isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.999\"]}", null).statusCode()).isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.1\"]}", null).statusCode()).isEqualTo(202)
                    .as("a valid scan is accepted after all those refusals");

            // the second of this minute, in api.scan_allowed: accepted, and it finds the answering addresses
            HttpResponse<String> started = send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.3.0/29\"],\"rate_pps\":200}", null);
            assertThat(started.statusCode()).isEqualTo(202);
            String id = json(started).get("id").toString();
            assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/scans/" + id);
            assertThat(TestServices.await(Duration.ofSeconds(20), () -> {
                try {
                    return "done".equals(json(send(port, "GET", "/api/v1/scans/" + id, null, null)).get("state"));
                } catch (Exception e) {
                    return false;
                }
            })).isTrue();
            Map<String, Object> done = json(send(port, "GET", "/api/v1/scans/" + id, null, null));
            assertThat(done).containsEntry("addresses", 6).containsEntry("completed", 6);
            assertThat((List<?>) done.get("alive")).hasSize(6);
            assertThat(s.device(dev.netscan.core.Ipv4.parse("127.0.3.1"))).as("a remote scan does not add devices").isEmpty();

            // a third from this client within the minute: 429 with Retry-After
            HttpResponse<String> third = send(port, "POST", "/api/v1/scans", "{\"targets\":[\"127.0.2.1\"]}", null);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);

            // results expire (ttl 2 s here)
            assertThat(TestServices.await(Duration.ofSeconds(10), () -> {
                try {
                    return send(port, "GET", "/api/v1/scans/" + id, null, null).statusCode() == 404;
                } catch (Exception e) {
                    return false;
                }
            })).isTrue();
        }
    }

    @Test
    void atMostTwoScansRunAtOnceAndDeleteCancels(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.4.0/28").build();
        HttpSettings settings = HttpSettings.builder().scansPerMinutePerClient(10).build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).httpSettings(settings).build())) {
            int port = s.httpPort().orElseThrow();
            String slow = "{\"targets\":[\"127.0.4.0/28\"],\"rate_pps\":1}"; // 14 addresses at 1 a second
            String a = json(send(port, "POST", "/api/v1/scans", slow, null)).get("id").toString();
            String b = json(send(port, "POST", "/api/v1/scans", slow, null)).get("id").toString();
            HttpResponse<String> third = send(port, "POST", "/api/v1/scans", slow, null);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(json(third).get("error").toString()).contains("at once");
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(send(port, "GET", "/api/v1/status", null, null))).containsEntry("active_scans", 2);

            HttpResponse<String> del = send(port, "DELETE", "/api/v1/scans/" + a, null, null);
            assertThat(del.statusCode()).isEqualTo(200);
            assertThat(TestServices.await(Duration.ofSeconds(10), () -> {
                try {
                    return "cancelled".equals(json(send(port, "GET", "/api/v1/scans/" + a, null, null)).get("state"));
                } catch (Exception e) {
                    return false;
                }
            })).isTrue();
            assertThat(send(port, "POST", "/api/v1/scans", slow, null).statusCode()).as("room again after the cancel").isEqualTo(202);
            assertThat(send(port, "DELETE", "/api/v1/scans/0123456789abcdef", null, null).statusCode()).isEqualTo(404);
            send(port, "DELETE", "/api/v1/scans/" + b, null, null);
        }
    }

    @Test
    void boundElsewhereMutatingEndpointsNeedTheTokenComparedInConstantTime(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> HttpSettings.builder().bind("0.0.0.0").build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("api.bind").hasMessageContaining("token");
        assertThat(HttpSettings.builder().token(TOKEN).build().toString()).doesNotContain(TOKEN);
        Path tokenFile = dir.resolve("token");
        java.nio.file.Files.writeString(tokenFile, TOKEN + "\n");
        NetscanConfig config = TestServices.config(dir.resolve("data"), "127.0.5.0/29").build();
        HttpSettings settings = HttpSettings.builder().bind("0.0.0.0").tokenFile(tokenFile).maxBodyBytes(1024).build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).httpSettings(settings).build())) {
            int port = s.httpPort().orElseThrow();
            String body = "{\"targets\":[\"127.0.5.1\"]}";
            HttpResponse<String> missing = send(port, "POST", "/api/v1/scans", body, null);
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(missing.body()).doesNotContain(TOKEN);
            assertThat(send(port, "POST", "/api/v1/scans", body, "wrong").statusCode()).isEqualTo(401);
            assertThat(send(port, "POST", "/api/v1/scans", body, TOKEN + "x").statusCode()).isEqualTo(401);
            assertThat(send(port, "DELETE", "/api/v1/scans/0123456789abcdef", null, null).statusCode()).isEqualTo(401);
            assertThat(send(port, "GET", "/api/v1/status", null, null).statusCode()).as("reads are open").isEqualTo(200);

            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":[\"" + "1".repeat(2000) + "\"]}", TOKEN).statusCode())
                    .as("oversized body").isEqualTo(413);
            assertThat(send(port, "POST", "/api/v1/scans", "{\"targets\":", TOKEN).statusCode()).as("malformed JSON").isEqualTo(400);
            assertThat(send(port, "POST", "/api/v1/scans", body, TOKEN).statusCode()).isEqualTo(202);
        }
        HttpSettings readsToo = HttpSettings.builder().token(TOKEN).readNeedsToken(true).build();
        NetscanConfig config2 = TestServices.config(dir.resolve("data2"), "127.0.5.0/29").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config2).httpSettings(readsToo).build())) {
            int port = s.httpPort().orElseThrow();
            assertThat(send(port, "GET", "/api/v1/devices", null, null).statusCode()).isEqualTo(401);
            assertThat(send(port, "GET", "/metrics", null, "nope").statusCode()).isEqualTo(401);
            assertThat(send(port, "GET", "/api/v1/devices", null, TOKEN).statusCode()).isEqualTo(200);
            assertThat(send(port, "GET", "/health/live", null, null).statusCode()).as("liveness stays open").isEqualTo(200);
        }
    }
}
