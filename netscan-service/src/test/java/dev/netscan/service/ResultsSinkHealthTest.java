package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.NetscanConfig;
import dev.netscan.influx.Precision;
import dev.netscan.influx.LineProtocolStreamSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second sink (a fleet's results topic) accounts for its own points on {@code /health} and
 * {@code /metrics}, as {@code results_*} beside the database's {@code writer_*}: a real service
 * pinging loopback, a real line-protocol stream sink whose stream fails every write, so its
 * points are offered and dropped for a write error while the files sink confirms its own.
 */
class ResultsSinkHealthTest {
    @TempDir
    Path dir;

    @Test
    void healthAndMetricsCarryTheResultsSinksCountersBesideTheWriters() throws Exception {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("the results stream is gone");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("the results stream is gone");
            }
        };
        LineProtocolStreamSink results = new LineProtocolStreamSink(broken, false, Precision.NANOSECONDS, 1_024).start();
        NetscanConfig config = TestServices.config(dir, "127.0.0.0/30").flushInterval(Duration.ofMillis(200)).build();
        HttpClient http = HttpClient.newHttpClient();
        try (results; NetscanService s = TestServices.start(NetscanService.builder(config).alsoSink(results).build())) {
            s.sweepNow();
            assertThat(TestServices.await(Duration.ofSeconds(30), () -> {
                Map<String, Object> doc = s.healthDocument();
                return ((Long) doc.get("results_dropped_write_error")) > 0 && ((Long) doc.get("writer_points_confirmed")) > 0;
            })).as("results points dropped for the write error, file points confirmed: %s", s.healthDocument()).isTrue();
            Map<String, Object> doc = s.healthDocument();
            assertThat(doc).containsKeys("results_points_offered", "results_points_confirmed", "results_points_dropped",
                    "results_dropped_queue_full", "results_dropped_shutdown", "results_points_queued", "results_queue_depth")
                    .doesNotContainKeys("results_spool_bytes", "results_points_spooled");
            assertThat((Long) doc.get("results_points_offered")).isPositive();
            assertThat(doc.get("results_points_confirmed")).isEqualTo(0L);
            assertThat(doc.get("results_points_unaccounted")).isEqualTo(0L);

            String metrics = TestServices.get(http, s.httpPort().orElseThrow(), "/metrics").body();
            assertThat(metrics).contains("# TYPE netscan_results_points_offered_total counter")
                    .contains("# TYPE netscan_results_dropped_write_error_total counter")
                    .containsPattern("(?m)^netscan_results_dropped_write_error_total [1-9]")
                    .containsPattern("(?m)^netscan_writer_points_confirmed_total [1-9]");
        }
    }

    @Test
    void withoutASecondSinkThereAreNoResultsFields() throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.0.0/30").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).build())) {
            assertThat(s.healthDocument()).containsKey("writer_points_offered")
                    .doesNotContainKey("results_points_offered");
        }
    }
}
