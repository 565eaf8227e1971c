package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.NetscanConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrape and page-load costs at about 20,000 devices (127.1.0.0/18 + 127.2.0.0/20 on loopback:
 * 20,476 devices pinged every 10 s, rate limit 20,000 pps), with and without per-device series; keeps a screenshot of the
 * page in docs/. A measurement, not a test: it prints figures and asserts only that they were
 * taken. Run it explicitly:
 * {@code NETSCAN_OPERATOR_BENCH=1 ./mvnw -B -ntp -pl netscan-service -am verify -Dtest=OperatorSurfaceBench -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfEnvironmentVariable(named = "NETSCAN_OPERATOR_BENCH", matches = "1")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class OperatorSurfaceBench {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void scrapeAndPageLoadAt20kDevices(@TempDir Path dir) throws Exception {
        for (boolean perDevice : new boolean[] {false, true}) {
            NetscanConfig config = TestServices.config(dir.resolve("d" + perDevice), "127.1.0.0/18").network("127.2.0.0/20")
                    .profile(dev.netscan.core.Profile.HIGH_PERFORMANCE).maxDevices(25_000).pingInterval(Duration.ofSeconds(10)).pingRateLimitPps(20_000).icmpMaxInFlight(4_096).build();
            HttpSettings settings = HttpSettings.builder().perDeviceMetrics(perDevice).build();
            try (NetscanService s = TestServices.start(NetscanService.builder(config).httpSettings(settings).build())) {
                s.sweepNow();
                int port = s.httpPort().orElseThrow();
                System.out.printf("devices: %d%n", s.deviceCount());
                assertThat(TestServices.await(Duration.ofSeconds(60), () -> s.schedulerCounters().replies() > 2L * s.deviceCount())).isTrue();
                double[] ms = new double[15];
                long bytes = 0;
                for (int i = 0; i < ms.length; i++) {
                    long t = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    ms[i] = (System.nanoTime() - t) / 1e6;
                    bytes = r.body().length;
                }
                Arrays.sort(ms);
                long series = new String(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).lines().filter(l -> !l.startsWith("#")).count();
                System.out.printf("scrape per_device=%s: median %.1f ms, min %.1f, max %.1f over %d scrapes; %,d bytes, %,d series%n",
                        perDevice, ms[ms.length / 2], ms[0], ms[ms.length - 1], ms.length, bytes, series);
                double[] api = new double[15];
                for (int i = 0; i < api.length; i++) {
                    long t = System.nanoTime();
                    TestServices.get(http, port, "/api/v1/devices?limit=100&sort=rtt&order=desc");
                    api[i] = (System.nanoTime() - t) / 1e6;
                }
                Arrays.sort(api);
                System.out.printf("GET /api/v1/devices?limit=100&sort=rtt (20K joined, sorted, paged): median %.1f ms%n", api[api.length / 2]);
                if (!perDevice) {
                    try (Chromium browser = new Chromium(1400, 1000)) {
                        for (int i = 0; i < 3; i++) {
                            browser.navigate("http://127.0.0.1:" + port + "/");
                            assertThat(browser.await("window.__tableRenderedMs > 0", Duration.ofSeconds(30))).isTrue();
                            Object load = browser.eval("Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)");
                            Object rows = browser.eval("Math.round(window.__tableRenderedMs + performance.timeOrigin - performance.getEntriesByType('navigation')[0].startTime - performance.timeOrigin + 0)");
                            Object fromNav = browser.eval("Math.round(performance.now())");
                            System.out.printf("page load %d: load event %s ms, first 100 rows %s ms after the script started (now %s ms)%n",
                                    i + 1, load, browser.eval("Math.round(window.__tableRenderedMs)"), fromNav);
                        }
                        browser.eval("document.querySelectorAll('#devices tbody tr')[3].click()");
                        browser.await("window.__chart && window.__chart.data[0].length > 0", Duration.ofSeconds(10));
                        browser.await("Number(document.getElementById('sse-seq').textContent) > 1", Duration.ofSeconds(10));
                        Path docs = Path.of(System.getProperty("user.dir")).resolveSibling("docs");
                        Files.createDirectories(docs);
                        browser.screenshot(docs.resolve("status-page-20k.png"));
                        System.out.println("screenshot: " + docs.resolve("status-page-20k.png"));
                    }
                }
            }
        }
    }
}
