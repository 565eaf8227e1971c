package dev.netscan.bench.influx;

import dev.netscan.influx.InfluxWriter;
import dev.netscan.influx.WriterConfig;
import dev.netscan.core.SinkCounters;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outage question: 20,000 devices pinged every second while the database is away for 10
 * minutes (12 M points). Is every point delivered, does the heap stay bounded, and does the spool
 * drain at least 10 times faster than real time once the database is back, while new points keep
 * coming?
 *
 * <p>Time is compressed: the outage's points (simulated timestamps, one round per device per
 * interval) are produced as fast as the writer takes them while the database port refuses
 * connections; then the database comes up and the producer switches to the real 1-per-interval
 * pace while the spool drains. The drain speed factor is outage length / drain time. The database
 * is an in-process endpoint that checks every point (one bit each), so "zero lost" is exact; with
 * a VictoriaMetrics URL it forwards every body there first and answers with the database's
 * status, so the drain runs at the real database's pace.
 *
 * <p>Usage: {@code java -Xmx256m -cp benchmarks.jar dev.netscan.bench.influx.OutageBench
 * [devices=20000] [outageSeconds=600] [intervalMillis=1000] [dataDir|-] [victoria-metrics-url]}. CI smoke:
 * {@code 2000 10}.
 */
public final class OutageBench {
    private OutageBench() {}

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int outageSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int intervalMillis = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        Path dir = args.length > 3 && !args[3].equals("-") ? Path.of(args[3]) : Files.createTempDirectory("netscan-outage");
        String vmUrl = args.length > 4 ? args[4] : null;
        long outagePoints = (long) devices * outageSeconds * 1_000 / intervalMillis;
        long maxPoints = outagePoints * 3 + devices * 600L;
        // Within a database's retention: the outage ended "now".
        long t0 = (System.currentTimeMillis() - (long) outageSeconds * 1_000L - 3_600_000L) * 1_000_000L;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        AtomicLong maxHeap = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon(true).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (VerifyingServer db = new VerifyingServer(port, devices, maxPoints, t0, vmUrl)) {
            WriterConfig cfg = WriterConfig.v2(URI.create(db.url()), "bench", "bench", "t")
                    .retryMaxBackoff(Duration.ofSeconds(1)).retryInitialBackoff(Duration.ofMillis(200))
                    .spoolMaxBytes(4L << 30).dataDir(dir).build();
            try (InfluxWriter w = new InfluxWriter(cfg).start()) {
                int highWater = cfg.queueCapacity() / 2;
                long t = System.nanoTime();
                long i = 0;
                for (; i < outagePoints; i++) {
                    if ((i & 1023) == 0) {
                        while (w.counters().queueDepth() > highWater) Thread.onSpinWait();
                    }
                    if (!w.offerPing(BenchPoints.ping(i, devices, t0))) throw new IllegalStateException("refused at " + i);
                }
                while (w.counters().pointsSpooled() < outagePoints) Thread.sleep(10);
                double produceSeconds = (System.nanoTime() - t) / 1e9;
                SinkCounters during = w.counters();
                System.out.printf("outage: %,d points (%d devices x %d s) spooled in %.1f s (compressed); spool %,d bytes; max heap so far %,d MB%n",
                        outagePoints, devices, outageSeconds, produceSeconds, during.spoolBytes(), maxHeap.get() >> 20);

                db.start();
                long recovered = System.nanoTime();
                long pace = intervalMillis * 1_000_000L;
                long nextRound = recovered;
                // New points at the real pace while the spool drains.
                while (w.counters().spoolPendingPoints() > 0 || w.counters().pointsConfirmed() < outagePoints) {
                    long now = System.nanoTime();
                    if (now >= nextRound) {
                        for (int d = 0; d < devices; d++, i++) {
                            if (!w.offerPing(BenchPoints.ping(i, devices, t0))) throw new IllegalStateException("refused at " + i);
                        }
                        nextRound += pace;
                    }
                    if (now - recovered > 3_600_000_000_000L) throw new IllegalStateException("not drained in an hour: " + w.counters());
                    Thread.sleep(2);
                }
                double drainSeconds = (System.nanoTime() - recovered) / 1e9;
                w.flush();
                long total = i;
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (w.counters().pointsConfirmed() < total && System.nanoTime() < deadline) Thread.sleep(10);
                SinkCounters end = w.counters();
                long missing = db.missing(total);
                System.out.printf("recovery: spool of %,d points drained in %.1f s = %.1fx faster than the %d s outage in real time "
                        + "(%,.0f points/s), while %,d new points arrived%n", outagePoints, drainSeconds,
                        outageSeconds / drainSeconds, outageSeconds, outagePoints / drainSeconds, total - outagePoints);
                System.out.printf("result: offered %,d, confirmed %,d, missing %,d, duplicates %,d, foreign %,d, dropped %,d, "
                        + "max heap used %,d MB (-Xmx %,d MB)%n", total, end.pointsConfirmed(), missing, db.duplicates, db.foreign,
                        end.pointsDropped(), maxHeap.get() >> 20, Runtime.getRuntime().maxMemory() >> 20);
                if (missing != 0 || end.pointsDropped() != 0) {
                    System.exit(1);
                }
            }
        } finally {
            sampler.interrupt();
        }
    }
}
