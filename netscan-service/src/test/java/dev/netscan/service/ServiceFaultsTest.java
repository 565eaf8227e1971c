package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.core.governor.ActiveAlert;
import dev.netscan.core.governor.AlertTier;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.state.DeviceRegistry;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 items 2-4 through a running service: loops that fail raise alerts and go on, a loop
 * thread that ends is restarted with a CRITICAL alert, snapshots that fail or are damaged are
 * alerted and counted, {@code /health} says {@code degraded} for each condition, and
 * {@code /health/ready} answers 503 while the start-up restore runs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceFaultsTest {

    @TempDir
    Path dir;

    /** A sink whose offers of ping stats and health reports throw an OutOfMemoryError while told to (a test hook). */
    static final class ThrowingSink implements MetricsSink {
        final AtomicInteger statsThrows = new AtomicInteger();
        final AtomicInteger healthThrows = new AtomicInteger();
        final AtomicInteger pings = new AtomicInteger();

        @Override public boolean offerPing(PingResult r) { pings.incrementAndGet(); return true; }
        @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { return true; }

        @Override
        public boolean offerPingStats(PingStats s) {
            if (statsThrows.getAndDecrement() > 0) {
                throw new OutOfMemoryError("test: thrown by the sink, not a real OOM");
            }
            return true;
        }

        @Override
        public boolean offerHealth(HealthReport h) {
            if (healthThrows.getAndDecrement() > 0) {
                throw new IllegalStateException("test: the health report cannot be written");
            }
            return true;
        }
    }

    /** A sink that refuses (drops, as a full queue does) every ping while {@code refusing}, and accounts for it. */
    static final class RefusingSink implements MetricsSink {
        final java.util.concurrent.atomic.AtomicBoolean refusing = new java.util.concurrent.atomic.AtomicBoolean(true);
        final java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public boolean offerPing(PingResult r) {
            offered.incrementAndGet();
            if (refusing.get()) {
                dropped.incrementAndGet();
                return false;
            }
            return true;
        }

        @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { return true; }
        @Override public boolean offerPingStats(PingStats s) { return true; }
        @Override public boolean offerHealth(HealthReport h) { return true; }

        @Override
        public dev.netscan.core.SinkCounters counters() {
            long d = dropped.get();
            long o = offered.get();
            return new dev.netscan.core.SinkCounters(o, 0, o - d, 0, 0, 0, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, true, 0, false, 0, 0);
        }
    }

    private NetscanService.Builder service(MetricsSink sink) throws Exception {
        return service(sink, Duration.ofSeconds(1));
    }

    private NetscanService.Builder service(MetricsSink sink, Duration snapshotInterval) throws Exception {
        var config = TestServices.config(dir.resolve("data"), "127.0.0.0/30")
                .pingInterval(Duration.ofSeconds(1)).pingTimeout(Duration.ofMillis(500)).statsWindow(Duration.ofSeconds(2))
                .healthReportInterval(Duration.ofMillis(200)).snapshotInterval(snapshotInterval).build();
        NetscanService.Builder b = NetscanService.builder(config).hostProbe(new FakeHostProbe());
        return sink == null ? b : b.sink(sink);
    }

    private static Map<String, Object> await(NetscanService s, Predicate<Map<String, Object>> condition) throws Exception {
        AtomicReference<Map<String, Object>> last = new AtomicReference<>();
        boolean ok = TestServices.await(Duration.ofSeconds(30), () -> {
            last.set(s.healthDocument());
            return condition.test(last.get());
        });
        if (!ok) {
            throw new AssertionError("timed out; /health: " + last.get());
        }
        return last.get();
    }

    private static boolean active(Map<String, Object> doc, String cause, String tier) {
        return ((List<?>) doc.get("active_alerts")).stream()
                .anyMatch(a -> a instanceof Map<?, ?> m && cause.equals(m.get("cause")) && tier.equals(m.get("tier")));
    }

    private static boolean reason(Map<String, Object> doc, String text) {
        return ((List<?>) doc.get("degraded_reasons")).stream().anyMatch(r -> r.toString().contains(text));
    }

    @Test
    void readyAnswers503AndHealthSaysStartingWhileTheRestoreRuns() throws Exception {
        CountDownLatch restoring = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        NetscanService s = service(null).restoreHook(() -> {
            restoring.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).build();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread starter = Thread.ofPlatform().start(() -> {
            try {
                TestServices.start(s);
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        try (s; HttpClient http = HttpClient.newHttpClient()) {
            assertThat(restoring.await(30, TimeUnit.SECONDS)).isTrue();
            int port = s.httpPort().orElseThrow();
            assertThat(TestServices.get(http, port, "/health/ready").statusCode()).isEqualTo(503);
            var health = TestServices.get(http, port, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"starting\"").contains("\"ready\":false");
            assertThat(TestServices.get(http, port, "/metrics").statusCode()).isEqualTo(200);
            release.countDown();
            starter.join(30_000);
            assertThat(failed.get()).isNull();
            assertThat(TestServices.await(Duration.ofSeconds(30), () -> {
                try {
                    return TestServices.get(http, port, "/health/ready").statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            })).as("ready once restored and swept").isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aCriticalAlertMakesHealthDegradedUntilItClears() throws Exception {
        try (NetscanService s = TestServices.start(service(null).build()); HttpClient http = HttpClient.newHttpClient()) {
            await(s, d -> "ok".equals(d.get("status")));
            s.governor().raise("test_condition", AlertTier.CRITICAL, "raised by the test");
            Map<String, Object> doc = s.healthDocument();
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(doc.get("alert_level")).isEqualTo("CRITICAL");
            assertThat(active(doc, "test_condition", "CRITICAL")).isTrue();
            assertThat(reason(doc, "CRITICAL alert test_condition")).isTrue();
            assertThat(doc.get("alerts_active")).isEqualTo(1L);
            assertThat(s.activeAlerts()).extracting(ActiveAlert::cause).containsExactly("test_condition");
            String prom = TestServices.get(http, s.httpPort().orElseThrow(), "/metrics").body();
            assertThat(prom).contains("netscan_alert_active{cause=\"test_condition\",tier=\"CRITICAL\"} 1.0");
            assertThat(HealthFields.reportable(s.healthFields())).containsEntry("alerts_active_causes", "CRITICAL test_condition");

            s.governor().clear("test_condition", "cleared by the test");
            assertThat(s.healthDocument().get("status")).isEqualTo("ok");
        }
    }

    @Test
    void aThrowingSinkIsAlertedAndMonitoringGoesOn() throws Exception {
        ThrowingSink sink = new ThrowingSink();
        sink.statsThrows.set(3);
        sink.healthThrows.set(2);
        try (NetscanService s = TestServices.start(service(sink).build())) {
            Map<String, Object> doc = await(s, d -> active(d, "loop:ping-scheduler", "WARNING")
                    && active(d, "loop:health-report", "WARNING") && (Long) d.get("loop_failures_total") == 5L);
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(reason(doc, "java.lang.OutOfMemoryError: test")).isTrue();
            int before = sink.pings.get();
            await(s, d -> sink.pings.get() > before + 8);
            assertThat(s.schedulerCounters().loopRestarts()).isZero();
        }
    }

    @Test
    void aJobThreadThatEndsIsRestartedWithACriticalAlert() throws Exception {
        ThrowingSink sink = new ThrowingSink();
        sink.healthThrows.set(1);
        AtomicInteger listenerThrows = new AtomicInteger(1);
        try (NetscanService s = service(sink).build()) {
            // an alert listener that fails with an Error while the failure is reported: the job's thread ends
            s.addAlertListener(a -> {
                if (a.cause().equals("loop:health-report") && a.tier() == AlertTier.WARNING && listenerThrows.getAndDecrement() > 0) {
                    throw new StackOverflowError("test: thrown by an alert listener");
                }
            });
            TestServices.start(s);
            Map<String, Object> doc = await(s, d -> active(d, "loop:health-report", "CRITICAL"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(doc.get("loop_restarts_total")).isEqualTo(1L);
            assertThat(reason(doc, "restarted by its watchdog")).isTrue();
            long reports = (Long) doc.get("loop_failures_total");
            await(s, d -> sink.healthThrows.get() < -3); // the restarted job offers health reports again
            assertThat(reports).isEqualTo(1L);
        }
    }

    @Test
    void aFailedSnapshotRaisesAWarningWithTheReasonAndClearsOnTheNextSave() throws Exception {
        Path snapshot = dir.resolve("data").resolve("registry.snapshot");
        try (NetscanService s = TestServices.start(service(null).build())) {
            assertThat(TestServices.await(Duration.ofSeconds(30), () -> Files.isRegularFile(snapshot))).isTrue();
            while (!Files.isDirectory(snapshot)) { // a non-empty directory where the snapshot goes: the save's move fails
                try {
                    Files.deleteIfExists(snapshot);
                    Files.createDirectories(snapshot.resolve("in-the-way"));
                } catch (java.nio.file.FileAlreadyExistsException saveCameBetween) {
                    // a save landed between the two steps: again
                }
            }
            Map<String, Object> doc = await(s, d -> active(d, FaultWatch.CAUSE_SNAPSHOT, "WARNING"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat((Long) doc.get("snapshot_failures_total")).isGreaterThanOrEqualTo(1L);
            assertThat(reason(doc, "registry snapshot to " + snapshot + " failed")).isTrue();
            Files.delete(snapshot.resolve("in-the-way"));
            Files.delete(snapshot);
            await(s, d -> !active(d, FaultWatch.CAUSE_SNAPSHOT, "WARNING"));
            assertThat(Files.isRegularFile(snapshot)).isTrue();
        }
    }

    @Test
    void truncatedAndBitFlippedSnapshotsAreSetAsideCountedAndAlertedNeverACrash() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path snapshot = data.resolve("registry.snapshot");
        try (DeviceRegistry r = DeviceRegistry.builder().maxDevices(100).build()) {
            for (int i = 1; i <= 50; i++) {
                r.add(dev.netscan.core.Ipv4.parse("10.9.0." + i));
            }
            r.save(snapshot);
        }
        byte[] whole = Files.readAllBytes(snapshot);
        byte[] flipped = whole.clone();
        flipped[whole.length / 2] ^= 0x10;
        byte[][] damaged = {java.util.Arrays.copyOf(whole, whole.length - 7), flipped};
        for (byte[] bytes : damaged) {
            Files.write(snapshot, bytes);
            try (NetscanService s = TestServices.start(service(null, Duration.ofHours(1)).build())) {
                Map<String, Object> doc = s.healthDocument();
                assertThat(doc.get("snapshot_corrupt_total")).isEqualTo(1L);
                assertThat(active(doc, FaultWatch.CAUSE_SNAPSHOT_CORRUPT, "WARNING")).isTrue();
                assertThat(reason(doc, "was unusable")).isTrue();
                assertThat(s.devices()).noneMatch(d -> d.ipv4() == dev.netscan.core.Ipv4.parse("10.9.0.1"));
            }
            try (var files = Files.list(data)) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith("registry.snapshot.corrupt-")).count())
                        .isGreaterThanOrEqualTo(1);
            }
            Files.deleteIfExists(snapshot);
        }
    }

    @Test
    void degradedWhilePointsAreDroppedAndOkOnceAnIntervalPassesWithout() throws Exception {
        RefusingSink sink = new RefusingSink();
        try (NetscanService s = TestServices.start(service(sink).build())) {
            Map<String, Object> doc = await(s, d -> reason(d, "points dropped in the last interval"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            sink.refusing.set(false);
            await(s, d -> "ok".equals(d.get("status")));
        }
    }

    @Test
    void degradedWhileThePingScheduleCannotBeServed() throws Exception {
        var config = TestServices.config(dir.resolve("data"), "127.0.0.0/28").pingInterval(Duration.ofSeconds(1))
                .pingTimeout(Duration.ofMillis(500)).maxConcurrentPingers(2).build(); // 16 devices/s needed, 4/s served
        try (NetscanService s = TestServices.start(NetscanService.builder(config).hostProbe(new FakeHostProbe()).build())) {
            // the reason is read from the schedule at once; the WARNING is raised by the governor's next sample
            Map<String, Object> doc = await(s, d -> reason(d, "ping schedule cannot be served")
                    && active(d, NetscanService.CAUSE_SCHEDULE, "WARNING"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(doc.get("ping_schedule_stretched")).isEqualTo(true);
        }
    }

    @Test
    void anUnreadableSnapshotIsSetAsideCountedAndAlertedNeverACrash() throws Exception {
        Path snapshot = dir.resolve("data").resolve("registry.snapshot");
        Files.createDirectories(snapshot.resolve("not-a-snapshot")); // reading it fails with an I/O error
        try (NetscanService s = TestServices.start(service(null, Duration.ofHours(1)).build())) {
            Map<String, Object> doc = s.healthDocument();
            assertThat(doc.get("snapshot_corrupt_total")).isEqualTo(1L);
            assertThat(active(doc, FaultWatch.CAUSE_SNAPSHOT_CORRUPT, "WARNING")).isTrue();
            assertThat(reason(doc, "cannot be read")).isTrue();
            assertThat(Files.exists(snapshot)).isFalse();
        }
        assertThat(Files.isRegularFile(snapshot)).as("saved at close").isTrue();
    }
}
