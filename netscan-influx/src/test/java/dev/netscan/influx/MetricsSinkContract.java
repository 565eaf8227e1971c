package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.SinkCounters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link MetricsSink} contract, run by every implementation (one subclass each, on the model
 * of JCTools' queue suite): offered points are all accounted for ({@link SinkCounters#unaccounted()}
 * is 0 in every snapshot, also while producers run), flush delivers everything offered before it,
 * close delivers the rest and is idempotent, offers after close are refused and counted, a full
 * queue refuses and counts. Public, in this module's test jar, so that sinks of other modules run it
 * too (netscan-fleet's results topic).
 */
public abstract class MetricsSinkContract {

    @TempDir
    Path dir;

    private final List<MetricsSink> opened = new ArrayList<>();

    /** A sink, not started, whose offer queue holds exactly {@code queueCapacity} values. */
    protected abstract MetricsSink create(int queueCapacity) throws Exception;

    /** Starts a sink made by {@link #create(int)}. */
    protected abstract void start(MetricsSink sink) throws Exception;

    /** How many of {@code pings} the destination holds now (each was offered once). */
    protected abstract long delivered(List<PingResult> pings) throws Exception;

    /** The lines (nanosecond precision) a line-protocol sink writes for {@code pings}, for {@link #delivered}. */
    protected static List<String> expectedLines(List<PingResult> pings) {
        return TestPoints.lines(pings);
    }

    private MetricsSink open(int queueCapacity) throws Exception {
        MetricsSink s = create(queueCapacity);
        opened.add(s);
        start(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(MetricsSink::close);
    }

    /**
     * {@code n} pings of 50 devices in a random /16 of 100.64.0.0/10 (VictoriaMetricsWriteTest uses
     * 10/8), timestamps from an hour ago, ms-aligned per device.
     */
    static List<PingResult> pings(int n) {
        int base = (100 << 24) | ((64 + new SplittableRandom(System.nanoTime()).nextInt(64)) << 16);
        long t0 = (System.currentTimeMillis() - 3_600_000L) * 1_000_000L;
        List<PingResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int dev = i % 50;
            long ts = t0 + (long) (i / 50) * 1_000_000_000L + dev * 1_000_000L;
            out.add(i % 7 == 3 ? PingResult.failed(base | (dev + 1), ts, PingResult.Outcome.TIMEOUT)
                    : PingResult.reply(base | (dev + 1), ts, 100_000L + i));
        }
        return out;
    }

    static void assertBalanced(SinkCounters c) {
        assertThat(c.unaccounted()).as("unaccounted points in %s", c).isZero();
        assertThat(c.pointsQueued()).as("queued in %s", c).isNotNegative();
    }

    @Test
    void flushDeliversEverythingOfferedBeforeIt() throws Exception {
        MetricsSink sink = open(65_536);
        List<PingResult> pings = pings(5_000);
        for (PingResult p : pings) {
            assertThat(sink.offerPing(p)).isTrue();
        }
        sink.flush();
        SinkCounters c = sink.counters();
        assertBalanced(c);
        assertThat(c.pointsOffered()).isEqualTo(5_000);
        assertThat(c.pointsConfirmed()).isEqualTo(5_000);
        assertThat(c.pointsQueued()).isZero();
        assertThat(c.pointsDropped()).isZero();
        assertThat(delivered(pings)).isEqualTo(5_000);
    }

    @Test
    void closeDeliversTheRestAndIsIdempotent() throws Exception {
        MetricsSink sink = open(65_536);
        List<PingResult> pings = pings(3_000);
        for (PingResult p : pings) {
            sink.offerPing(p);
        }
        sink.close();
        SinkCounters first = sink.counters();
        sink.close();
        assertThat(sink.counters()).isEqualTo(first);
        assertBalanced(first);
        assertThat(first.pointsConfirmed()).isEqualTo(3_000);
        assertThat(delivered(pings)).isEqualTo(3_000);
    }

    @Test
    void offersAfterCloseAreRefusedCountedAndFlushReturns() throws Exception {
        MetricsSink sink = open(1_024);
        sink.close();
        assertThat(sink.offerPing(pings(1).getFirst())).isFalse();
        sink.flush(); // returns at once after close
        SinkCounters c = sink.counters();
        assertBalanced(c);
        assertThat(c.pointsOffered()).isEqualTo(1);
        assertThat(c.droppedClosed()).isEqualTo(1);
    }

    @Test
    void fullQueueRefusesAndCountsThenDeliversWhatItHolds() throws Exception {
        MetricsSink sink = create(16);
        opened.add(sink);
        List<PingResult> pings = pings(20);
        int accepted = 0;
        for (PingResult p : pings) {
            accepted += sink.offerPing(p) ? 1 : 0;
        }
        assertThat(accepted).isEqualTo(16);
        SinkCounters before = sink.counters();
        assertBalanced(before);
        assertThat(before.droppedQueueFull()).isEqualTo(4);
        assertThat(before.pointsQueued()).isEqualTo(16);
        start(sink);
        sink.close();
        SinkCounters after = sink.counters();
        assertBalanced(after);
        assertThat(after.pointsConfirmed()).isEqualTo(16);
        assertThat(delivered(pings)).isEqualTo(16);
    }

    @Test
    void unencodableValueIsCountedAsDropped() throws Exception {
        MetricsSink sink = open(1_024);
        assertThat(sink.offerHealth(new HealthReport(1_000L, Map.of()))).isTrue();
        sink.flush();
        SinkCounters c = sink.counters();
        assertBalanced(c);
        assertThat(c.droppedUnencodable()).isEqualTo(1);
    }

    @Test
    void everySnapshotBalancesWhileProducersRun() throws Exception {
        MetricsSink sink = open(4_096);
        List<PingResult> pings = pings(20_000);
        AtomicBoolean go = new AtomicBoolean();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int from = t * 5_000;
            producers.add(Thread.ofPlatform().start(() -> {
                while (!go.get()) {
                    Thread.onSpinWait();
                }
                for (int i = from; i < from + 5_000; i++) {
                    sink.offerPing(pings.get(i));
                }
            }));
        }
        go.set(true);
        int samples = 0;
        while (producers.stream().anyMatch(Thread::isAlive) || samples < 100) {
            assertBalanced(sink.counters());
            samples++;
        }
        for (Thread t : producers) {
            t.join();
        }
        sink.close();
        SinkCounters c = sink.counters();
        assertBalanced(c);
        assertThat(c.pointsOffered()).isEqualTo(20_000);
        assertThat(c.pointsConfirmed() + c.droppedQueueFull()).isEqualTo(20_000);
        assertThat(delivered(pings)).isEqualTo(c.pointsConfirmed());
    }
}
