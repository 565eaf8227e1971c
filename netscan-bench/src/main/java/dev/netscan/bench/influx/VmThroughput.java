package dev.netscan.bench.influx;

import dev.netscan.influx.InfluxWriter;
import dev.netscan.influx.WriterConfig;
import dev.netscan.core.SinkCounters;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * End-to-end throughput into a real database: how many ping points per second does one
 * {@code InfluxWriter} get confirmed by VictoriaMetrics on loopback, sustained? Offers as fast as
 * the writer's queue takes them (pacing on queue depth, so nothing is refused), waits until the
 * server confirmed every point, then asks VictoriaMetrics how many samples it holds for this run
 * (a fresh {@code db} label) to prove none was lost.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.netscan.bench.influx.VmThroughput <vm-url>
 * [points=10000000] [devices=20000] [batch=5000] [gzip=true]}
 */
public final class VmThroughput {
    private VmThroughput() {}

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : System.getenv("NETSCAN_TEST_VM_URL");
        if (url == null) {
            throw new IllegalArgumentException("usage: VmThroughput <victoria-metrics-url> [points] [devices] [batch] [gzip]");
        }
        long points = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        int devices = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 5_000;
        boolean gzip = args.length <= 4 || Boolean.parseBoolean(args[4]);
        String db = "e2e" + System.currentTimeMillis();
        long t0 = (System.currentTimeMillis() - 86_400_000L) * 1_000_000L;
        Path dir = Files.createTempDirectory("netscan-e2e");
        WriterConfig cfg = WriterConfig.v1(URI.create(url), db).batchSize(batch).gzip(gzip)
                .flushInterval(Duration.ofMillis(200)).spoolFsync(false).dataDir(dir).build();
        int highWater = cfg.queueCapacity() / 2;
        long start;
        long lastLog;
        long lastConfirmed = 0;
        try (InfluxWriter w = new InfluxWriter(cfg).start()) {
            start = System.nanoTime();
            lastLog = start;
            for (long i = 0; i < points; i++) {
                if ((i & 1023) == 0) {
                    while (w.counters().queueDepth() > highWater) {
                        Thread.onSpinWait();
                    }
                    long now = System.nanoTime();
                    if (now - lastLog > 1_000_000_000L) {
                        long c = w.counters().pointsConfirmed();
                        System.out.printf("  %5.1f s: %,d confirmed (%,.0f points/s in the last second)%n",
                                (now - start) / 1e9, c, (c - lastConfirmed) * 1e9 / (now - lastLog));
                        lastConfirmed = c;
                        lastLog = now;
                    }
                }
                if (!w.offerPing(BenchPoints.ping(i, devices, t0))) {
                    throw new IllegalStateException("offer refused at " + i);
                }
            }
            while (w.counters().pointsConfirmed() < points) {
                if (System.nanoTime() - start > 600_000_000_000L) {
                    throw new IllegalStateException("not confirmed after 10 min: " + w.counters());
                }
                Thread.sleep(5);
            }
            long took = System.nanoTime() - start;
            SinkCounters c = w.counters();
            System.out.printf("VmThroughput: %,d points confirmed in %.2f s = %,.0f points/s (batch %d, gzip %s, %d devices); "
                    + "retries %d, spooled %d, dropped %d%n", c.pointsConfirmed(), took / 1e9, c.pointsConfirmed() * 1e9 / took,
                    batch, gzip, devices, c.retries(), c.pointsSpooled(), c.pointsDropped());
        }
        // Ask the database what it holds for this run.
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(url + "/internal/force_flush")).build(), HttpResponse.BodyHandlers.discarding());
        String q = "sum(count_over_time(ping_success{db=\"" + db + "\"}[3d]))";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/query?query="
                + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("VictoriaMetrics count of ping_success samples for " + db + ": " + r.body());
    }
}
