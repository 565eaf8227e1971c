package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.TargetSet;
import dev.netscan.core.governor.AlertTier;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.GovernorSettings;
import dev.netscan.core.governor.Knobs;
import dev.netscan.core.governor.ThrottleListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The governor turning a running sweep's rate: a fake host probe (the CPU temperature cannot be
 * made real) reports 80 C, the achieved rate of a real sweep on loopback drops to the throttled
 * rate within one sample, and returns when the temperature falls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GovernedSweepTest {
    private static final int BASE_PPS = 4_000;

    /** Probes sent per second over {@code window}, from the engine's own counter. */
    private static double achievedPps(IcmpEngine engine, Duration window) throws InterruptedException {
        long s0 = engine.counters().sent();
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        long s1 = engine.counters().sent();
        return (s1 - s0) / ((System.nanoTime() - t0) / 1e9);
    }

    @Test
    void eightyDegreesHalvesARunningSweepsRateWithinOneSampleAndCoolingRestoresIt() throws Exception {
        FakeHostProbe host = new FakeHostProbe().temperatureCelsius(60);
        Governor governor = new Governor(GovernorSettings.builder()
                .knobs(new Knobs(BASE_PPS, 4_096, 32, 0, 500, 5_000, 5_000))
                .recoveryFactor(2.0) // one cool sample restores the full rate
                .build(), host);
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build())) {
            engine.setRateLimitPps(governor.throttle().rateLimitPps());
            governor.addThrottleListener(ThrottleListener.rateLimitPps(engine::setRateLimitPps));
            governor.sampleNow();
            // 16,382 addresses at 4,000 pps: long enough for three measurement windows
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.50.0.0/18"),
                    SweepOptions.builder().timeout(Duration.ofMillis(500)).retries(0).build(), (ip, rtt) -> { });
            try {
                Thread.sleep(300); // past the token bucket's initial burst
                double cool = achievedPps(engine, Duration.ofMillis(700));

                host.temperatureCelsius(80);
                assertThat(governor.sampleNow().level()).isEqualTo(AlertTier.WARNING);
                assertThat(governor.throttle().rateLimitPps()).isEqualTo(BASE_PPS / 2);
                assertThat(engine.rateLimitPps()).isEqualTo(BASE_PPS / 2);
                double hot = achievedPps(engine, Duration.ofMillis(1_000));

                host.temperatureCelsius(60);
                governor.sampleNow();
                assertThat(engine.rateLimitPps()).isEqualTo(BASE_PPS);
                double recovered = achievedPps(engine, Duration.ofMillis(700));

                assertThat(sweep.isDone()).as("the sweep was still running throughout").isFalse();
                assertThat(cool).as("before: near the base rate").isBetween(BASE_PPS * 0.75, BASE_PPS * 1.1);
                assertThat(hot).as("at 80 C: the throttled rate").isBetween(BASE_PPS / 2 * 0.8, BASE_PPS / 2 * 1.1);
                assertThat(recovered).as("cooled down: back near the base rate").isGreaterThan(BASE_PPS * 0.75);
            } finally {
                sweep.cancel();
                governor.close();
            }
            SweepSummary summary = sweep.await(Duration.ofSeconds(10));
            assertThat(summary.cancelled()).isTrue();
        }
    }

    @Test
    void theSweepCapBoundsSweepProbesInFlightWhileMonitoringKeepsItsRoom() throws Exception {
        try (NetNamespace ns = NetNamespace.create();
                IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().maxInFlight(1_000).build())) {
            ns.dropEchoRequestsTo("127.2.0.0/24"); // every probe stays in flight until its timeout
            engine.setSweepMaxInFlight(20);
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.2.0.0/24"),
                    SweepOptions.builder().timeout(Duration.ofMillis(100)).retries(0).build(), (ip, rtt) -> { });
            // while the sweep is capped at 20, a monitor probe still goes out and is answered
            java.util.concurrent.CompletableFuture<dev.netscan.core.PingResult> monitor = new java.util.concurrent.CompletableFuture<>();
            assertThat(engine.trySubmit(dev.netscan.core.Ipv4.parse("127.3.0.1"), Duration.ofSeconds(1).toNanos(), 0,
                    Lane.MONITOR, (r, attempts) -> monitor.complete(r))).isTrue();
            SweepSummary summary = sweep.await(Duration.ofSeconds(30));
            assertThat(summary.timeouts()).isEqualTo(254);
            assertThat(monitor.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(dev.netscan.core.PingResult.Outcome.REPLY);
            assertThat(engine.counters().maxInFlightObserved()).as("sweep probes in flight at once")
                    .isLessThanOrEqualTo(21); // 20 sweep probes + the one monitor probe
            assertThatThrownBy(() -> engine.setSweepMaxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
