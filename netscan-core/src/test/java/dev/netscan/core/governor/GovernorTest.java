package dev.netscan.core.governor;

import dev.netscan.core.Profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Drives the governor with the fake host probe and a stepping clock: exact alerts and knobs. */
class GovernorTest {

    private static final long T0 = 1_700_000_000L;

    /** A clock that moves 30 s on every read (one read per sample). */
    private static InstantSource steppingClock() {
        AtomicLong reads = new AtomicLong();
        return () -> Instant.ofEpochSecond(T0 + 30 * reads.getAndIncrement());
    }

    private static Throttle t(int pps, int inFlight, int snmp, int batch, long pacingNanos, boolean paused) {
        return new Throttle(pps, inFlight, snmp, batch, pacingNanos, paused);
    }

    private final FakeHostProbe host = new FakeHostProbe();

    private Governor governor(Profile profile) {
        return new Governor(GovernorSettings.builder().profile(profile).build(), host, steppingClock());
    }

    private static List<Throttle> run(Governor g, FakeHostProbe host, double... temperatures) {
        List<Throttle> out = new ArrayList<>();
        for (double c : temperatures) {
            host.temperatureCelsius(c);
            out.add(g.sampleNow().throttle());
        }
        return out;
    }

    @Test
    void aHeldConditionRaisesTheLevelUntilClearedAndIsSaidOncePerChange() {
        Governor g = governor(Profile.STANDARD);
        List<Alert> heard = new ArrayList<>();
        g.addAlertListener(heard::add);
        host.temperatureCelsius(50);
        g.sampleNow();
        g.hold("ping_schedule", AlertTier.WARNING, 1667, "cannot be served");
        g.hold("ping_schedule", AlertTier.WARNING, 1667, "cannot be served");
        assertThat(g.level()).isEqualTo(AlertTier.WARNING);
        g.sampleNow(); // a healthy sample keeps the held level
        assertThat(g.level()).isEqualTo(AlertTier.WARNING);
        g.hold("ping_schedule", AlertTier.INFO, 1000, "served");
        assertThat(g.level()).isEqualTo(AlertTier.INFO);
        assertThat(heard).extracting(Alert::tier).containsExactly(AlertTier.WARNING, AlertTier.INFO);
        assertThat(g.alerts()).extracting(Alert::cause).contains("ping_schedule");
    }

    @Test
    void startsAtTheProfileBaselineBeforeAnySample() {
        Governor hp = governor(Profile.HIGH_PERFORMANCE);
        assertThat(hp.throttle()).isEqualTo(t(20_000, 800, 512, 1_000, 1_000_000, false));
        assertThat(hp.lastSample()).isEmpty();
        assertThat(hp.level()).isEqualTo(AlertTier.INFO);
        assertThat(governor(Profile.STANDARD).throttle()).isEqualTo(t(1_000, 128, 32, 5_000, 5_000_000, false));
    }

    @Test
    void temperatureRampThrottlesWithinOneSampleAndRecoversGraduallyWithoutFlapping() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        List<Throttle> knobs = run(g, host, 60, 74.9, 75, 78, 73, 71, 74, 76, 69.9, 60, 60, 60, 60);

        Throttle base = t(20_000, 800, 512, 1_000, 1_000_000, false);
        Throttle half = t(10_000, 400, 256, 1_000, 2_000_000, false);
        assertThat(knobs).containsExactly(
                base, base,
                half, half, half, half, half, half, // 75 raises; 78..76 stay inside the band: no flapping
                t(12_500, 500, 320, 1_000, 1_600_000, false), // 69.9 < 75 - 5 clears: x1.25
                t(15_625, 625, 400, 1_000, 1_280_000, false),
                t(19_531, 781, 500, 1_000, 1_024_000, false),
                base, base);
        assertThat(g.alerts()).extracting(Alert::time, Alert::tier, Alert::cause, Alert::value).containsExactly(
                tuple(Instant.ofEpochSecond(T0 + 60), AlertTier.WARNING, "cpu_temperature", 75.0),
                tuple(Instant.ofEpochSecond(T0 + 240), AlertTier.INFO, "cpu_temperature", 69.9));
        assertThat(g.alerts().get(0).message()).isEqualTo("CPU temperature 75.0 C reached the warning threshold 75.0 C");
        assertThat(g.alerts().get(1).message()).isEqualTo("CPU temperature 69.9 C fell below 75.0 C minus margin 5.0 C: cleared");
        assertThat(g.level()).isEqualTo(AlertTier.INFO);
    }

    @Test
    void criticalTemperaturePausesDiscoveryAndEasesBackThroughWarning() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        List<Throttle> knobs = run(g, host, 60, 86, 84, 79, 79, 79, 79, 79);

        assertThat(knobs).containsExactly(
                t(20_000, 800, 512, 1_000, 1_000_000, false),
                t(5_000, 200, 128, 1_000, 4_000_000, true), // straight to CRITICAL: x0.25, discovery paused
                t(5_000, 200, 128, 1_000, 4_000_000, true), // 84 >= 85 - 5: still CRITICAL
                t(6_250, 250, 160, 1_000, 3_200_000, false), // 79: back to WARNING, climbing towards 0.5
                t(7_813, 313, 200, 1_000, 2_560_000, false),
                t(9_766, 391, 250, 1_000, 2_048_000, false),
                t(10_000, 400, 256, 1_000, 2_000_000, false),
                t(10_000, 400, 256, 1_000, 2_000_000, false));
        assertThat(g.alerts()).extracting(Alert::tier, Alert::cause, Alert::value).containsExactly(
                tuple(AlertTier.CRITICAL, "cpu_temperature", 86.0),
                tuple(AlertTier.WARNING, "cpu_temperature", 79.0));
        assertThat(g.level()).isEqualTo(AlertTier.WARNING);
    }

    @Test
    void memorySpikeShrinksBatchesAndBacklogGrowsThemWhenHealthy() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        g.reportWriterBacklog(10_000);
        double[] memory = {40, 40, 40, 40, 85, 88, 92, 89, 84, 77, 74, 60, 60, 60, 60, 60};
        List<Integer> batches = new ArrayList<>();
        List<Boolean> paused = new ArrayList<>();
        List<Integer> rates = new ArrayList<>();
        for (double m : memory) {
            host.memoryUsedPct(m);
            Throttle th = g.sampleNow().throttle();
            batches.add(th.writerBatchSize());
            paused.add(th.discoveryPaused());
            rates.add(th.rateLimitPps());
        }
        assertThat(batches).containsExactly(
                2_000, 4_000, 5_000, 5_000, // healthy and backlogged: doubles up to the maximum
                2_500, 1_250, // WARNING: halves per sample
                500, 500, // CRITICAL: minimum at once; 89 stays CRITICAL (>= 85)
                500, 500, // 84: WARNING again, 77 still WARNING (>= 75)
                625, 782, 978, 1_000, // 74 clears: climbs x1.25 back to the base while the scale recovers
                2_000, 4_000); // fully recovered and still backlogged: grows again
        assertThat(paused).containsExactly(false, false, false, false, false, false, true, true,
                false, false, false, false, false, false, false, false);
        assertThat(rates).containsExactly(20_000, 20_000, 20_000, 20_000, 10_000, 10_000, 5_000, 5_000,
                6_250, 7_813, 9_766, 12_207, 15_259, 19_073, 20_000, 20_000);
        assertThat(g.alerts()).extracting(Alert::tier, Alert::cause, Alert::value).containsExactly(
                tuple(AlertTier.WARNING, "memory", 85.0),
                tuple(AlertTier.CRITICAL, "memory", 92.0),
                tuple(AlertTier.WARNING, "memory", 84.0),
                tuple(AlertTier.INFO, "memory", 74.0));
    }

    @Test
    void batchShrinksBackToBaseWhenTheBacklogDrains() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        g.reportWriterBacklog(50_000);
        List<Integer> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) batches.add(g.sampleNow().throttle().writerBatchSize());
        g.reportWriterBacklog(0);
        for (int i = 0; i < 4; i++) batches.add(g.sampleNow().throttle().writerBatchSize());
        assertThat(batches).containsExactly(2_000, 4_000, 5_000, 2_500, 1_250, 1_000, 1_000);
    }

    @Test
    void standardProfileBatchesAreFixedExceptUnderMemoryPressure() {
        Governor g = governor(Profile.STANDARD);
        g.reportWriterBacklog(1_000_000);
        assertThat(g.sampleNow().throttle().writerBatchSize()).isEqualTo(5_000);
        host.memoryUsedPct(95);
        assertThat(g.sampleNow().throttle()).isEqualTo(t(250, 32, 8, 500, 20_000_000, true));
    }

    @Test
    void errorBurstBacksOffExponentiallyHoldsInTheBandAndClearsBelowTheMargin() {
        Governor g = governor(Profile.STANDARD);
        ErrorRate icmp = g.errorRate("icmp");
        ErrorRate writer = g.errorRate("writer");
        long[][] windows = { // events, errors of icmp per sample
            {1_000, 10}, {1_000, 100}, {1_000, 100}, {1_000, 40}, {10, 10}, {1_000, 20}, {1_000, 0}};
        List<Throttle> knobs = new ArrayList<>();
        List<Double> worst = new ArrayList<>();
        for (long[] w : windows) {
            icmp.recordEvents(w[0]);
            icmp.recordErrors(w[1]);
            writer.recordEvents(5);
            HealthSample s = g.sampleNow();
            knobs.add(s.throttle());
            worst.add(s.worstErrorPct());
            assertThat(s.errorWindows()).containsEntry("icmp", new ErrorRate.Window(w[0], w[1]))
                    .containsEntry("writer", new ErrorRate.Window(5, 0));
        }
        assertThat(knobs).containsExactly(
                t(1_000, 128, 32, 5_000, 5_000_000, false), // 1%: fine
                t(500, 64, 16, 5_000, 10_000_000, false), // 10%: backoff, halve
                t(250, 32, 8, 5_000, 20_000_000, false), // still 10%: halve again
                t(250, 32, 8, 5_000, 20_000_000, false), // 4%: inside the band, hold
                t(250, 32, 8, 5_000, 20_000_000, false), // 10 events < 20: no information, hold
                t(313, 40, 10, 5_000, 16_000_000, false), // 2% < 5 - 2.5: cleared, x1.25
                t(391, 50, 13, 5_000, 12_800_000, false));
        assertThat(worst).containsExactly(1.0, 10.0, 10.0, 4.0, 100.0, 2.0, 0.0);
        assertThat(g.alerts()).extracting(Alert::tier, Alert::cause, Alert::value).containsExactly(
                tuple(AlertTier.WARNING, "error_rate:icmp", 10.0),
                tuple(AlertTier.INFO, "error_rate:icmp", 2.0));
        assertThat(icmp.totalEvents()).isEqualTo(6_010);
        assertThat(icmp.totalErrors()).isEqualTo(280);
    }

    @Test
    void errorBackoffStopsAtTheMinimumScale() {
        Governor g = governor(Profile.STANDARD);
        ErrorRate icmp = g.errorRate("icmp");
        List<Integer> rates = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            icmp.recordEvents(100);
            icmp.recordErrors(50);
            rates.add(g.sampleNow().throttle().rateLimitPps());
        }
        assertThat(rates).containsExactly(500, 250, 125, 63, 31, 31, 31);
        assertThat(g.throttle()).isEqualTo(t(31, 4, 1, 5_000, 160_000_000, false));
        assertThat(g.alerts()).hasSize(1);
    }

    @Test
    void sameSourceNameGivesTheSameCounterAndBadNamesAreRejected() {
        Governor g = governor(Profile.STANDARD);
        assertThat(g.errorRate("writer")).isSameAs(g.errorRate("writer"));
        assertThatThrownBy(() -> g.errorRate("Bad Name")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Bad Name'");
        assertThatThrownBy(() -> g.reportWriterBacklog(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unavailableTemperatureNeitherRaisesNorClears() {
        Governor g = governor(Profile.STANDARD);
        run(g, host, Double.NaN, Double.NaN);
        assertThat(g.alerts()).extracting(Alert::tier, Alert::message).containsExactly(
                tuple(AlertTier.INFO, "no CPU temperature sensor readable: thermal throttling is inactive"));
        assertThat(g.level()).isEqualTo(AlertTier.INFO);
        assertThat(g.throttle()).isEqualTo(Knobs.of(Profile.STANDARD).baseline());
        run(g, host, 80, Double.NaN, Double.NaN);
        assertThat(g.alerts()).extracting(Alert::tier).containsExactly(AlertTier.INFO, AlertTier.WARNING);
        assertThat(g.level()).isEqualTo(AlertTier.WARNING);
        assertThat(g.throttle().rateLimitPps()).isEqualTo(500);
        assertThat(g.lastSample().orElseThrow().toHealthReport().fields()).doesNotContainKey("cpu_temp_c");
    }

    @Test
    void keepsTheLast100AlertsAsAnImmutableSnapshot() {
        Governor g = governor(Profile.STANDARD);
        for (int i = 0; i < 120; i++) {
            host.temperatureCelsius(i % 2 == 0 ? 80 : 60);
            g.sampleNow();
        }
        List<Alert> alerts = g.alerts();
        assertThat(alerts).hasSize(100);
        assertThat(alerts.get(0).time()).isEqualTo(Instant.ofEpochSecond(T0 + 30 * 20));
        assertThat(alerts.get(99).time()).isEqualTo(Instant.ofEpochSecond(T0 + 30 * 119));
        assertThat(alerts.get(0).tier()).isEqualTo(AlertTier.WARNING);
        assertThat(alerts.get(99).tier()).isEqualTo(AlertTier.INFO);
        assertThatThrownBy(() -> alerts.add(alerts.get(0))).isInstanceOf(UnsupportedOperationException.class);
        host.temperatureCelsius(80);
        g.sampleNow();
        assertThat(alerts.get(99).time()).isEqualTo(Instant.ofEpochSecond(T0 + 30 * 119));
        assertThat(g.alerts().get(99).time()).isEqualTo(Instant.ofEpochSecond(T0 + 30 * 120));
    }

    @Test
    void listenersSeeAlertsAndThrottleChangesAndTheirExceptionsAreContained() {
        Governor g = governor(Profile.STANDARD);
        List<Alert> seen = new ArrayList<>();
        List<String> pushes = new ArrayList<>();
        g.addAlertListener(a -> { throw new IllegalStateException("listener bug"); });
        g.addAlertListener(a -> { throw new AssertionError("listener assertion"); });
        g.addAlertListener(seen::add);
        g.addThrottleListener((old, now) -> { throw new IllegalStateException("listener bug"); });
        // what the lead wires: listener -> engine.setRateLimitPps
        g.addThrottleListener((old, now) -> pushes.add(old.rateLimitPps() + "->" + now.rateLimitPps()));

        run(g, host, 60, 80, 80, 60, 60);

        assertThat(seen).extracting(Alert::tier).containsExactly(AlertTier.WARNING, AlertTier.INFO);
        assertThat(pushes).containsExactly("1000->500", "500->625", "625->781");
        assertThat(g.listenerFailures()).isEqualTo(7); // 2 alerts x 2 listeners + 3 throttle changes
        assertThat(g.alerts()).hasSize(2);
    }

    @Test
    void healthReportCarriesSampleAndThrottleUnderSnakeCaseNames() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        g.errorRate("icmp").recordEvents(200);
        g.errorRate("icmp").recordErrors(3);
        host.set(new HostSample(42.5, 31.25, 123_456_789L, 0.375, 76.5, 37, 1_234));
        HealthSample s = g.sampleNow();

        var report = s.toHealthReport();
        assertThat(report.timestampEpochNanos()).isEqualTo(T0 * 1_000_000_000L);
        assertThat(report.fields()).containsExactlyInAnyOrderEntriesOf(java.util.Map.ofEntries(
                java.util.Map.entry("memory_used_pct", 42.5),
                java.util.Map.entry("heap_used_pct", 31.25),
                java.util.Map.entry("rss_bytes", 123_456_789L),
                java.util.Map.entry("cpu_load", 0.375),
                java.util.Map.entry("cpu_temp_c", 76.5),
                java.util.Map.entry("threads", 37L),
                java.util.Map.entry("gc_time_ms", 1_234L),
                java.util.Map.entry("error_rate_pct", 1.5),
                java.util.Map.entry("throttle_rate_pps", 10_000L),
                java.util.Map.entry("throttle_in_flight", 400L),
                java.util.Map.entry("throttle_snmp_in_flight", 256L),
                java.util.Map.entry("throttle_batch_size", 1_000L),
                java.util.Map.entry("throttle_pacing_ns", 2_000_000L),
                java.util.Map.entry("discovery_paused", false),
                java.util.Map.entry("alert_level", "WARNING")));

        host.set(new HostSample(Double.NaN, Double.NaN, HostSample.UNAVAILABLE, Double.NaN, Double.NaN,
                HostSample.UNAVAILABLE, HostSample.UNAVAILABLE));
        assertThat(g.sampleNow().toHealthReport().fields()).doesNotContainKeys("memory_used_pct", "heap_used_pct",
                "rss_bytes", "cpu_load", "cpu_temp_c", "threads", "gc_time_ms", "error_rate_pct");
    }

    @Test
    void oneKnobListenersPushOnlyTheirKnobWhenItChanges() {
        Governor g = governor(Profile.HIGH_PERFORMANCE);
        List<String> pushed = new ArrayList<>();
        g.addThrottleListener(ThrottleListener.rateLimitPps(v -> pushed.add("pps=" + v)));
        g.addThrottleListener(ThrottleListener.probesInFlight(v -> pushed.add("inFlight=" + v)));
        g.addThrottleListener(ThrottleListener.snmpInFlight(v -> pushed.add("snmp=" + v)));
        g.addThrottleListener(ThrottleListener.writerBatchSize(v -> pushed.add("batch=" + v)));
        g.addThrottleListener(ThrottleListener.pacingNanos(v -> pushed.add("pacing=" + v)));

        run(g, host, 80); // scale 0.5, batch untouched
        g.reportWriterBacklog(100_000);
        host.temperatureCelsius(50);
        host.memoryUsedPct(82); // memory warning: batch halves, scale stays 0.5
        g.sampleNow();

        assertThat(pushed).containsExactly("pps=10000", "inFlight=400", "snmp=256", "pacing=2000000", "batch=500");
    }
}
