package dev.netscan.influx;

import dev.netscan.core.PingResult;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The writer's process in {@link KillMidFlushTest}: offers points to a writer whose database is
 * down, reports "SPOOLED" once all are on disk, then keeps delivering until it is killed.
 * Args: url dataDir count devices.
 */
public final class SpoolingChild {
    private SpoolingChild() {}

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        Path dataDir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int devices = Integer.parseInt(args[3]);
        WriterConfig cfg = KillMidFlushTest.config(url, dataDir);
        InfluxWriter w = new InfluxWriter(cfg).start();
        List<PingResult> pings = TestPoints.pings(count, devices);
        for (PingResult p : pings) {
            if (!w.offerPing(p)) throw new IllegalStateException("offer refused");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (w.counters().pointsSpooled() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.println("SPOOLED " + w.counters().pointsSpooled());
        System.out.flush();
        // Keep delivering until killed (bounded so an orphan cannot live forever).
        Thread.sleep(120_000);
        System.exit(3);
    }
}
