package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.NetscanConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a running service, checked by Prometheus's own {@code promtool check metrics}. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PrometheusMetricsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    /** promtool's path; under CI=true its absence fails the test, elsewhere it skips with the reason. */
    static String promtool() {
        for (String p : new String[] {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
            if (new java.io.File(p).canExecute()) {
                return p;
            }
        }
        String why = "promtool is missing: install Debian's prometheus package (scripts/test does as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
        return null;
    }

    /** Runs {@code promtool check metrics} over {@code text}; returns its exit code and output. */
    static String[] check(String promtool, String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish in 30 s");
        }
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void metricsOfARunningServicePassPromtoolWithPerDeviceSeries(@TempDir Path dir) throws Exception {
        String promtool = promtool();
        NetscanConfig config = TestServices.config(dir, "127.0.0.0/29").build();
        HttpSettings settings = HttpSettings.builder().perDeviceMetrics(true).build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).httpSettings(settings).build())) {
            s.sweepNow();
            int port = s.httpPort().orElseThrow();
            assertThat(TestServices.await(Duration.ofSeconds(20), () -> {
                try {
                    return TestServices.get(http, port, "/metrics").body().contains("netscan_device_up{ip=\"127.0.0.6\",name=\"\"} 1.0");
                } catch (Exception e) {
                    return false;
                }
            })).as("every device of 127.0.0.0/29 answered a monitoring ping").isTrue();
            var resp = TestServices.get(http, port, "/metrics");
            assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            String text = resp.body();

            String[] result = check(promtool, text);
            assertThat(result[1]).as("promtool check metrics output").isEmpty();
            assertThat(result[0]).isEqualTo("0");

            assertThat(text).contains("# TYPE netscan_ping_rtt_seconds histogram")
                    .contains("netscan_ping_rtt_seconds_bucket{le=\"+Inf\"}")
                    .contains("netscan_device_rtt_seconds_bucket{ip=\"127.0.0.1\",name=\"\",le=\"0.001\"}")
                    .contains("# TYPE netscan_device_ping_requests_total counter")
                    .contains("process_cpu_seconds_total")
                    .doesNotContain("goroutines")
                    .doesNotContainPattern("(?m)^[a-z_]+_(ms|us|ns|mb|kb|pct|c)(_total)?[ {]");
            Matcher types = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(text);
            int families = 0;
            while (types.find()) {
                families++;
                assertThat(text).as("HELP of " + types.group(1)).contains("# HELP " + types.group(1) + " ");
            }
            assertThat(families).isGreaterThan(25);
            // the InfluxDB health_metrics fields keep the Go names
            assertThat(s.healthFields()).containsKeys("goroutines", "memory_mb", "uptime_s");
        }
    }

    @Test
    void promtoolFlagsTheOldHandWrittenShapeSoTheCheckCanFail() throws Exception {
        String promtool = promtool();
        String[] result = check(promtool, "# TYPE netscan_goroutines gauge\nnetscan_goroutines 12\n"
                + "# TYPE netscan_ping_lateness_p50_us gauge\nnetscan_ping_lateness_p50_us 3\n");
        assertThat(result[1]).contains("no help text");
    }

    @Test
    void unknownHealthFieldsGetBaseUnitsAndAHelp() {
        assertThat(PrometheusMetrics.fallback("spool_age_ms").toString()).contains("netscan_spool_age_seconds").contains("0.001");
        assertThat(PrometheusMetrics.fallback("cache_mb").toString()).contains("netscan_cache_bytes");
        assertThat(PrometheusMetrics.fallback("things_total").toString()).contains("netscan_things,").contains("counter=true");
    }
}
