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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status page of a running service in headless Debian chromium. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageBrowserTest {

    @Test
    void thePageRendersTheDevicesUpdatesLiveAndDrawsTheChart(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.7.0/29").build();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).build());
                Chromium browser = new Chromium(1400, 900)) {
            s.sweepNow();
            int port = s.httpPort().orElseThrow();
            assertThat(TestServices.await(Duration.ofSeconds(15), () -> s.schedulerCounters().replies() >= 6)).isTrue();
            browser.navigate("http://127.0.0.1:" + port + "/");

            assertThat(browser.await("document.querySelectorAll('#devices tbody tr').length === 6", Duration.ofSeconds(20)))
                    .as("the six devices of 127.0.7.0/29 in the table").isTrue();
            assertThat(browser.eval("document.querySelector('#devices tbody tr td').textContent")).isEqualTo("127.0.7.1");
            assertThat(browser.eval("document.querySelector('#devices tbody tr td:nth-child(3)').textContent")).isEqualTo("up");
            assertThat(browser.await("document.querySelector('#events li') !== null", Duration.ofSeconds(10)))
                    .as("the device events (new) are listed").isTrue();

            // a status event arrives over SSE and changes the page without a reload
            browser.eval("window.__marker = 'same page'");
            Object seq = browser.eval("Number(document.getElementById('sse-seq').textContent)");
            assertThat(browser.await("Number(document.getElementById('sse-seq').textContent) > " + seq, Duration.ofSeconds(10)))
                    .as("an SSE status update").isTrue();
            assertThat(browser.eval("window.__marker")).as("no reload happened").isEqualTo("same page");
            assertThat(browser.eval("document.getElementById('s-devices').textContent")).isEqualTo("6");

            // sorting by a header click (server-side), then the chart of one device
            browser.eval("document.querySelector('th[data-sort=address]').click()");
            assertThat(browser.await("document.querySelector('#devices tbody tr td').textContent === '127.0.7.6'", Duration.ofSeconds(10))).isTrue();
            browser.eval("document.querySelector('#devices tbody tr').click()");
            assertThat(browser.await("window.__chart && window.__chart.data[0].length > 0 && document.querySelector('#chart canvas').width > 0",
                    Duration.ofSeconds(10))).as("uPlot drew the device's last hour").isTrue();
            Object painted = browser.eval("(() => { const c = document.querySelector('#chart canvas');"
                    + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()");
            assertThat(((Number) painted).intValue()).as("painted pixels on the chart canvas").isGreaterThan(500);
            assertThat(browser.eval("document.getElementById('detail-title').textContent")).asString().startsWith("127.0.7.6");
            Path shot = Path.of("target", "status-page-test.png"); // kept for a look
            browser.screenshot(shot);
            assertThat(Files.size(shot)).isGreaterThan(10_000);
        }
    }

    @Test
    void staticAssetsComeFromTheJarAndNothingElseIsReachable(@TempDir Path dir) throws Exception {
        NetscanConfig config = TestServices.config(dir, "127.0.7.8/29").build();
        HttpClient http = HttpClient.newHttpClient();
        try (NetscanService s = TestServices.start(NetscanService.builder(config).build())) {
            int port = s.httpPort().orElseThrow();
            HttpResponse<String> index = TestServices.get(http, port, "/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).contains("/vendor/uPlot.iife.min.js").doesNotContain("http://").doesNotContain("https://");
            assertThat(TestServices.get(http, port, "/vendor/uPlot.iife.min.js").body()).contains("uPlot");
            for (String evil : new String[] {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/vendor/../app.js",
                "/..%2fpom.xml", "/dev/netscan/service/openapi.json", "/META-INF/MANIFEST.MF", "//etc/passwd",
                "/app.js%00.png", "/vendor/uPlot.iife.min.js/.."}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + evil)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(evil).isIn(400, 404);
                assertThat(r.body()).as(evil).doesNotContain("root:").doesNotContain("<project");
            }
        }
    }
}
