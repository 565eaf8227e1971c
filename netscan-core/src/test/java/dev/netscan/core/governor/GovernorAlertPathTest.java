package dev.netscan.core.governor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.LoopFaults;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 2: the governor is the service's one alert path. Conditions raised by the rest of
 * netscan (and by the loops) sit beside the sampled ones in {@code activeAlerts()} with their
 * reason and since when, move {@code level()}, and clear.
 */
class GovernorAlertPathTest {

    private static final GovernorSettings FAST = GovernorSettings.builder().sampleInterval(Duration.ofMillis(20)).build();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final InstantSource clock = now::get;

    @Test
    void raisedConditionsAreActiveWithReasonAndSinceUntilCleared() {
        Governor g = new Governor(FAST, new FakeHostProbe(), clock);
        List<Alert> heard = new CopyOnWriteArrayList<>();
        g.addAlertListener(heard::add);
        g.raise("disk_full", AlertTier.CRITICAL, "data_dir /x is full");
        Instant raisedAt = now.get();
        now.set(raisedAt.plusSeconds(5));
        g.raise("registry_snapshot", AlertTier.WARNING, "snapshot failed: disk");
        g.raise("disk_full", AlertTier.CRITICAL, "again"); // same tier: nothing new

        assertThat(g.level()).isEqualTo(AlertTier.CRITICAL);
        assertThat(g.activeAlerts()).containsExactly(
                new ActiveAlert("disk_full", AlertTier.CRITICAL, "data_dir /x is full", raisedAt),
                new ActiveAlert("registry_snapshot", AlertTier.WARNING, "snapshot failed: disk", raisedAt.plusSeconds(5)));
        assertThat(heard).extracting(Alert::cause).containsExactly("disk_full", "registry_snapshot");

        g.clear("disk_full", "space is back");
        assertThat(g.level()).isEqualTo(AlertTier.WARNING);
        assertThat(g.activeAlerts()).extracting(ActiveAlert::cause).containsExactly("registry_snapshot");
        assertThat(heard.getLast().tier()).isEqualTo(AlertTier.INFO);
        assertThat(g.alerts()).extracting(Alert::message).contains("space is back");
        g.clear("registry_snapshot", "saved");
        assertThat(g.activeAlerts()).isEmpty();
        assertThat(g.level()).isEqualTo(AlertTier.INFO);
        assertThatThrownBy(() -> g.raise("x", AlertTier.INFO, "no")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sampledConditionsAreActiveToo() {
        FakeHostProbe probe = new FakeHostProbe();
        Governor g = new Governor(FAST, probe, clock);
        probe.memoryUsedPct(95);
        g.sampleNow();
        assertThat(g.activeAlerts()).singleElement().satisfies(a -> {
            assertThat(a.cause()).isEqualTo(Alert.CAUSE_MEMORY);
            assertThat(a.tier()).isEqualTo(AlertTier.CRITICAL);
        });
        probe.memoryUsedPct(40);
        g.sampleNow();
        assertThat(g.activeAlerts()).isEmpty();
    }

    @Test
    void loopFailureRaisesWarningRestartRaisesCriticalAndBothClearWhenQuiet() {
        Governor g = new Governor(FAST, new FakeHostProbe(), clock);
        LoopFaults loops = g.loopAlerts();
        loops.failed("ping-scheduler", new OutOfMemoryError("test"), 1);
        assertThat(g.activeAlerts()).singleElement().satisfies(a -> {
            assertThat(a.cause()).isEqualTo("loop:ping-scheduler");
            assertThat(a.tier()).isEqualTo(AlertTier.WARNING);
            assertThat(a.reason()).contains("java.lang.OutOfMemoryError: test");
        });
        loops.restarted("sweeper", new IllegalStateException("boom"), 1);
        assertThat(g.level()).isEqualTo(AlertTier.CRITICAL);

        now.set(now.get().plus(Governor.LOOP_FAILURE_QUIET));
        g.sampleNow();
        assertThat(g.activeAlerts()).extracting(ActiveAlert::cause).containsExactly("loop:sweeper");
        now.set(now.get().plus(Governor.LOOP_RESTART_QUIET));
        g.sampleNow();
        assertThat(g.activeAlerts()).isEmpty();
        assertThat(g.level()).isEqualTo(AlertTier.INFO);
    }

    @Test
    void anOutOfMemoryErrorFromTheProbeIsCountedAlertedAndSamplingGoesOn() throws Exception {
        AtomicLong calls = new AtomicLong();
        FakeHostProbe fake = new FakeHostProbe();
        HostProbe failing = () -> {
            if (calls.incrementAndGet() <= 2) {
                throw new OutOfMemoryError("test: thrown by the probe, not a real OOM");
            }
            return fake.sample();
        };
        try (Governor g = new Governor(FAST, failing)) {
            g.loopFaults(g.loopAlerts());
            g.start();
            GovernorLifecycleTest.await("samples after the failures", () -> fake.samples() >= 3);
            assertThat(g.sampleFailures()).isEqualTo(2);
            assertThat(g.activeAlerts()).extracting(ActiveAlert::cause, ActiveAlert::tier)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("loop:governor", AlertTier.WARNING));
        }
    }

    @Test
    void aSamplingThreadThatEndsIsRestartedWithACriticalAlert() throws Exception {
        AtomicLong calls = new AtomicLong();
        FakeHostProbe fake = new FakeHostProbe();
        HostProbe failing = () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("test: sensor read failed");
            }
            return fake.sample();
        };
        try (Governor g = new Governor(FAST, failing)) {
            AtomicLong reported = new AtomicLong();
            g.loopFaults(new LoopFaults() {
                @Override
                public void failed(String loop, Throwable cause, long failures) {
                    if (reported.incrementAndGet() == 1) {
                        throw new InternalError("test: the alert path fails while reporting");
                    }
                }

                @Override
                public void restarted(String loop, Throwable cause, long restarts) {
                    g.loopAlerts().restarted(loop, cause, restarts);
                }
            });
            g.start();
            GovernorLifecycleTest.await("samples on the new thread", () -> fake.samples() >= 2);
            assertThat(g.sampleLoopRestarts()).isEqualTo(1);
            assertThat(g.level()).isEqualTo(AlertTier.CRITICAL);
            assertThat(g.activeAlerts()).singleElement().satisfies(a -> {
                assertThat(a.cause()).isEqualTo("loop:governor");
                assertThat(a.reason()).contains("restarted by its watchdog");
            });
        }
    }
}
