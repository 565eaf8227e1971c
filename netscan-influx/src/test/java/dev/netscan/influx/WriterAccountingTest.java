package dev.netscan.influx;

import static dev.netscan.influx.MetricsSinkContract.assertBalanced;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.PingResult;
import dev.netscan.core.SinkCounters;
import dev.netscan.influx.FaultServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accounting invariant of issue 14 (offered + recovered = confirmed + rejected + spooled +
 * queued + dropped by reason) checked in every counters snapshot, sampled continuously, under
 * each fault: database down, 500s, 429, dropped connections, a batch refused as bad data, an
 * unwritable data directory, and the shutdown deadline.
 */
class WriterAccountingTest {

    @TempDir
    Path dir;

    FaultServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FaultServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private WriterConfig.Builder config() {
        return WriterConfig.v2(server.uri(), "netscan", "pings", "t")
                .batchSize(500)
                .flushInterval(Duration.ofMillis(50))
                .retryInitialBackoff(Duration.ofMillis(20))
                .retryMaxBackoff(Duration.ofMillis(200))
                .requestTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(5))
                .spoolFsync(false)
                .dataDir(dir.resolve("data"));
    }

    /** Samples the counters until {@code done} holds, asserting the invariant in every snapshot. */
    static SinkCounters watch(Supplier<SinkCounters> counters, Predicate<SinkCounters> done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            SinkCounters c = counters.get();
            assertBalanced(c);
            if (done.test(c)) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + c);
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    private SinkCounters offerAndDeliver(InfluxWriter w, List<PingResult> pings) {
        for (PingResult p : pings) {
            w.offerPing(p);
        }
        return watch(w::counters, c -> c.pointsConfirmed() == pings.size(), "all confirmed");
    }

    private void assertServerHoldsExactly(List<PingResult> pings) {
        assertThat(new HashSet<>(server.acceptedLines())).isEqualTo(new HashSet<>(TestPoints.lines(pings)));
    }

    @Test
    void databaseDownThenBack() throws Exception {
        server.stopListening();
        List<PingResult> pings = TestPoints.pings(10_000, 100);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            for (PingResult p : pings) {
                w.offerPing(p);
            }
            SinkCounters down = watch(w::counters, c -> c.spoolPendingPoints() == 10_000, "everything spooled");
            assertThat(down.databaseReachable()).isFalse();
            assertThat(down.unreachableSinceEpochMillis()).isPositive();
            assertThat(down.pointsQueued()).isZero();
            server.startAgain();
            SinkCounters up = watch(w::counters, c -> c.pointsConfirmed() == 10_000, "drained");
            assertThat(up.spoolPendingPoints()).isZero();
            assertThat(up.unreachableSinceEpochMillis()).isZero();
        }
        assertServerHoldsExactly(pings);
    }

    @Test
    void serverErrors500() {
        server.script((n, r) -> n < 6 ? Reply.status(500, "boom") : Reply.ok());
        List<PingResult> pings = TestPoints.pings(5_000, 50);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            SinkCounters c = offerAndDeliver(w, pings);
            assertThat(c.retries()).isGreaterThanOrEqualTo(6);
        }
        assertServerHoldsExactly(pings);
    }

    @Test
    void tooManyRequests429() {
        server.script((n, r) -> n < 4 ? Reply.retryAfter(429, "0") : Reply.ok());
        List<PingResult> pings = TestPoints.pings(5_000, 50);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            SinkCounters c = offerAndDeliver(w, pings);
            assertThat(c.retries()).isGreaterThanOrEqualTo(4);
        }
        assertServerHoldsExactly(pings);
    }

    @Test
    void droppedConnections() {
        server.script((n, r) -> n < 4 ? Reply.drop() : Reply.ok());
        List<PingResult> pings = TestPoints.pings(5_000, 50);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            SinkCounters c = offerAndDeliver(w, pings);
            assertThat(c.retries()).isGreaterThanOrEqualTo(4);
        }
        assertServerHoldsExactly(pings);
    }

    @Test
    void batchRefusedAsBadDataIsRejectedNotLost() {
        server.script((n, r) -> n == 1 ? Reply.status(400, "bad line") : Reply.ok());
        List<PingResult> pings = TestPoints.pings(2_000, 50);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            for (PingResult p : pings) {
                w.offerPing(p);
            }
            SinkCounters c = watch(w::counters, x -> x.pointsConfirmed() + x.pointsRejected() == 2_000, "all answered");
            assertThat(c.pointsRejected()).isEqualTo(500);
        }
    }

    @Test
    void unwritableDataDirHoldsInMemoryThenSpoolsWhenItClears() throws Exception {
        server.stopListening();
        Files.createDirectories(dir.resolve("data"));
        Path blocker = Files.writeString(dir.resolve("data").resolve("spool"), "a file where the spool directory goes");
        List<PingResult> pings = TestPoints.pings(3_000, 30);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            for (PingResult p : pings) {
                w.offerPing(p);
            }
            SinkCounters blocked = watch(w::counters, c -> c.diskFull() && c.queueDepth() == 0 && !c.databaseReachable(),
                    "disk full state");
            assertThat(blocked.pointsSpooled()).isZero();
            assertThat(blocked.pointsQueued()).isEqualTo(3_000); // held in memory, within the bound
            Files.delete(blocker);
            SinkCounters spooling = watch(w::counters, c -> !c.diskFull() && c.spoolPendingPoints() == 3_000,
                    "spooling resumed");
            assertThat(spooling.pointsDropped()).isZero();
            server.startAgain();
            watch(w::counters, c -> c.pointsConfirmed() == 3_000, "drained");
        }
        assertServerHoldsExactly(pings);
    }

    @Test
    void shutdownDeadlineWithNowhereToStoreCountsTheRestAsDropped() throws Exception {
        server.script((n, r) -> {
            Thread.sleep(30_000); // a stalled database
            return Reply.ok();
        });
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data").resolve("spool"), "no spool here");
        List<PingResult> pings = TestPoints.pings(2_000, 20);
        InfluxWriter w = new InfluxWriter(config().closeTimeout(Duration.ofMillis(300)).build()).start();
        for (PingResult p : pings) {
            w.offerPing(p);
        }
        watch(w::counters, c -> c.queueDepth() == 0, "taken from the queue");
        long t0 = System.nanoTime();
        w.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5)); // bounded, not a speed claim
        SinkCounters c = w.counters();
        assertBalanced(c);
        assertThat(c.droppedShutdown()).isEqualTo(2_000);
        assertThat(c.pointsQueued()).isZero();
    }

    @Test
    void shutdownDeadlineWithASpoolStoresTheRest() {
        server.script((n, r) -> {
            Thread.sleep(30_000);
            return Reply.ok();
        });
        List<PingResult> pings = TestPoints.pings(2_000, 20);
        InfluxWriter w = new InfluxWriter(config().closeTimeout(Duration.ofMillis(300)).build()).start();
        for (PingResult p : pings) {
            w.offerPing(p);
        }
        w.close();
        SinkCounters c = w.counters();
        assertBalanced(c);
        assertThat(c.droppedShutdown()).isZero();
        assertThat(c.spoolPendingPoints()).isEqualTo(2_000);
    }
}
