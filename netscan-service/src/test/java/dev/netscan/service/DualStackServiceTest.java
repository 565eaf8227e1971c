package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.netscan.core.AddressBook;
import dev.netscan.core.Device;
import dev.netscan.core.NetscanConfig;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service with a dual-stack configuration, end to end on the host's loopback (127.0.0.0/8
 * and ::1): discovery registers the IPv6 device, the scheduler pings it, the API lists it, the
 * written points carry its RFC 5952 address in the {@code ip} tag, and the snapshot restores it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DualStackServiceTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @SuppressWarnings("unchecked")
    @Test
    void monitorsIpv4AndIpv6DevicesAndWritesBoth(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.6.0/29").network("::1").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).build())) {
            assertThat(s.sweepNow()).hasValueSatisfying(sum -> assertThat(sum.alive()).isEqualTo(7));
            assertThat(s.devices()).extracting(Device::address).contains("::1", "127.0.6.1", "127.0.6.6").hasSize(7);
            int key = s.devices().stream().filter(d -> d.address().equals("::1")).findFirst().orElseThrow().ipv4();
            assertThat(AddressBook.isIpv6Key(key)).isTrue();
            assertThat(TestServices.await(Duration.ofSeconds(20),
                    () -> s.device(key).map(d -> d.lastStats() != null || s.schedulerCounters().replies() >= 21).orElse(false)))
                    .as("three rounds of pings answered").isTrue();
            assertThat(s.device(key).orElseThrow().failureStreak()).isZero();

            int port = s.httpPort().orElseThrow();
            Map<String, Object> page = JSON.std.mapFrom(TestServices.get(http, port, "/api/v1/devices?sort=address").body());
            List<Map<String, Object>> rows = (List<Map<String, Object>>) page.get("devices");
            assertThat(rows).extracting(r -> r.get("address")).hasSize(7).last().isEqualTo("::1");
            assertThat(TestServices.get(http, port, "/api/v1/devices?q=::").body()).contains("\"total\":1");
            var one = TestServices.get(http, port, "/api/v1/devices/::1");
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(JSON.std.mapFrom(one.body())).containsEntry("address", "::1");
            assertThat(TestServices.get(http, port, "/api/v1/devices/2001:db8::99").statusCode()).isEqualTo(404);
            Map<String, Object> events = JSON.std.mapFrom(TestServices.get(http, port, "/api/v1/events").body());
            assertThat((List<Map<String, Object>>) events.get("events")).extracting(e -> e.get("address")).contains("::1");
        }
        // the file sink's points: the IPv6 device under its canonical text in the same ip tag
        String lines;
        try (Stream<Path> files = Files.walk(dir.resolve("metrics"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
            lines = all.toString();
        }
        assertThat(lines).contains("\nping,ip=::1 rtt_ms=").contains("\nping,ip=127.0.6.1 rtt_ms=")
                .contains("device_event,ip=::1,event=new");

        // the snapshot brings the IPv6 device back
        NetscanConfig again = TestServices.config(dir, "127.0.6.0/29").network("::1").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(again).build())) {
            assertThat(s.devices()).extracting(Device::address).contains("::1").hasSize(7);
        }
    }
}
