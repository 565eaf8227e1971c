package dev.netscan.discovery;

import static dev.netscan.discovery.PingSchedulerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.LocalOutcome;
import dev.netscan.discovery.monitor.MonitorProber;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.state.DeviceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Devices added in bulk (a restore at start, a sweep's results) and a scheduler that fell behind
 * (a stalled thread), with real ICMP on loopback: probes are spread over the interval, catch-up
 * never bursts into local outcomes and never pings a device twice for one due time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchedulerCatchUpTest {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Every probe the scheduler hands to the engine, with when (scheduler thread only). */
    private static final class TimedProber implements MonitorProber {
        private final MonitorProber engine;
        final List<long[]> sends = new ArrayList<>(); // {ipv4, nanoTime}

        TimedProber(IcmpEngine engine) {
            this.engine = MonitorProber.of(engine);
        }

        @Override
        public boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener) {
            boolean ok = engine.trySubmit(ipv4, timeoutNanos, listener);
            if (ok) {
                synchronized (sends) {
                    sends.add(new long[] {ipv4, System.nanoTime()});
                }
            }
            return ok;
        }

        @Override
        public void flush() {
            engine.flush();
        }

        @Override
        public LocalOutcome refusalCause() {
            return engine.refusalCause();
        }

        List<long[]> snapshot() {
            synchronized (sends) {
                return new ArrayList<>(sends);
            }
        }
    }

    private static PingScheduler scheduler(TimedProber prober, DeviceRegistry registry, Runnable stepHook) {
        // 1,000 in flight for 200 ms serves 5,000 probes a second: the schedule fits, a burst of
        // the whole schedule at once would not (it would end in in_flight_full local outcomes)
        return PingScheduler.builder().prober(prober).registry(registry).sink(new RecordingSink())
                .pingInterval(Duration.ofNanos(INTERVAL_NANOS)).pingTimeout(Duration.ofMillis(200))
                .maxConcurrentPingers(1_000).statsWindow(Duration.ofSeconds(2))
                .reconcileInterval(Duration.ofMillis(100)).stepHook(stepHook).build();
    }

    /** First send of each device, counted per 100 ms slot from the first one; asserts all came within one interval. */
    private static int[] firstSendsPerSlot(List<long[]> sends, int devices) {
        Map<Integer, Long> first = new HashMap<>();
        for (long[] s : sends) {
            first.putIfAbsent((int) s[0], s[1]);
        }
        assertThat(first).as("every device pinged").hasSize(devices);
        long t0 = first.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        // one interval, plus three slots for the lateness of a loaded machine (2 cores, shared)
        int[] perSlot = new int[(int) (INTERVAL_NANOS / SLOT_NANOS) + 3];
        for (long t : first.values()) {
            int slot = (int) ((t - t0) / SLOT_NANOS);
            assertThat(slot).as("first pings within one interval (+ three slots)").isLessThan(perSlot.length);
            perSlot[slot]++;
        }
        return perSlot;
    }

    private static void assertSpread(int[] perSlot, int devices, double maxShare) {
        int share = (int) (devices * SLOT_NANOS / INTERVAL_NANOS);
        for (int i = 0; i < perSlot.length; i++) {
            assertThat(perSlot[i]).as("first pings in 100 ms slot %d (share %d): %s", i, share,
                    java.util.Arrays.toString(perSlot)).isLessThanOrEqualTo((int) (share * maxShare));
        }
    }

    @Test
    void devicesRestoredBeforeStartArePhasedOverTheFirstIntervalWithoutLocalOutcomes() throws Exception {
        int devices = 5_000;
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(10_000).build()) {
            int base = Ipv4.parse("127.31.0.1");
            for (int i = 0; i < devices; i++) {
                registry.add(base + i); // as a restore from the snapshot does, before the scheduler starts
            }
            TimedProber prober = new TimedProber(engine);
            PingScheduler scheduler = scheduler(prober, registry, null);
            scheduler.start();
            await("every device pinged", Duration.ofSeconds(20), () -> prober.snapshot().stream()
                    .mapToLong(s -> s[0]).distinct().count() == devices);
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);

            assertSpread(firstSendsPerSlot(prober.snapshot(), devices), devices, 2.0);
            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.local().total()).as("local outcomes").isZero();
            assertThat(c.catchUpSkips()).isZero();
            assertThat(c.replies()).isEqualTo(c.pingsSent());
        }
    }

    @Test
    void devicesAddedInBulkWhileRunningArePhasedOverTheNextInterval() throws Exception {
        int devices = 5_000;
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(10_000).build()) {
            TimedProber prober = new TimedProber(engine);
            PingScheduler scheduler = scheduler(prober, registry, null);
            scheduler.start();
            await("the first reconciliation", Duration.ofSeconds(10), () -> scheduler.counters().reconciliations() > 0);
            int base = Ipv4.parse("127.32.0.1");
            for (int i = 0; i < devices; i++) {
                registry.add(base + i); // a sweep's results
            }
            scheduler.requestReconcile();
            await("every device pinged", Duration.ofSeconds(20), () -> prober.snapshot().stream()
                    .mapToLong(s -> s[0]).distinct().count() == devices);
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);

            assertSpread(firstSendsPerSlot(prober.snapshot(), devices), devices, 2.0);
            assertThat(scheduler.counters().local().total()).as("local outcomes").isZero();
        }
    }

    @Test
    void aStalledSchedulerResumesWithoutABurstAndWithoutDoublePings() throws Exception {
        int devices = 2_000;
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(10_000).build()) {
            int base = Ipv4.parse("127.33.0.1");
            for (int i = 0; i < devices; i++) {
                registry.add(base + i);
            }
            CountDownLatch[] gate = {null};
            CountDownLatch stalled = new CountDownLatch(1);
            Runnable hook = () -> {
                CountDownLatch g;
                synchronized (gate) {
                    g = gate[0];
                }
                if (g != null) {
                    stalled.countDown();
                    try {
                        if (!g.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("stall gate never opened");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            TimedProber prober = new TimedProber(engine);
            PingScheduler scheduler = scheduler(prober, registry, hook);
            scheduler.start();
            await("two intervals on schedule", Duration.ofSeconds(20),
                    () -> scheduler.counters().pingsSent() >= 2L * devices);
            CountDownLatch open = new CountDownLatch(1);
            synchronized (gate) {
                gate[0] = open;
            }
            assertThat(stalled.await(10, TimeUnit.SECONDS)).as("scheduler thread stalled").isTrue();
            long stallStart = System.nanoTime();
            await("2.5 intervals stalled", Duration.ofSeconds(20),
                    () -> System.nanoTime() - stallStart >= INTERVAL_NANOS * 5 / 2);
            synchronized (gate) {
                gate[0] = null;
            }
            long resumed = System.nanoTime();
            open.countDown();
            await("two intervals after the stall", Duration.ofSeconds(20),
                    () -> System.nanoTime() - resumed >= 2 * INTERVAL_NANOS);
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);

            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.local().total()).as("local outcomes").isZero();
            assertThat(c.catchUpSkips()).as("whole missed cycles skipped").isPositive();
            List<long[]> sends = prober.snapshot();
            // no burst: after the resume, no 100 ms slot holds more than the catch-up pace allows
            // (twice the schedule's share, plus the spread of bucket sizes)
            int share = (int) (devices * SLOT_NANOS / INTERVAL_NANOS);
            int[] perSlot = new int[40];
            for (long[] s : sends) {
                if (s[1] - resumed >= 0) {
                    int slot = (int) ((s[1] - resumed) / SLOT_NANOS);
                    if (slot < perSlot.length) {
                        perSlot[slot]++;
                    }
                }
            }
            for (int i = 0; i < perSlot.length; i++) {
                assertThat(perSlot[i]).as("sends in 100 ms slot %d after the resume (share %d): %s", i, share,
                        java.util.Arrays.toString(perSlot)).isLessThanOrEqualTo(share * 5 / 2);
            }
            // no double ping: a device caught up late then keeps its phase, never two sends for one due time
            Map<Integer, List<Long>> byDevice = new HashMap<>();
            for (long[] s : sends) {
                byDevice.computeIfAbsent((int) s[0], k -> new ArrayList<>()).add(s[1]);
            }
            assertThat(byDevice).hasSize(devices);
            for (Map.Entry<Integer, List<Long>> e : byDevice.entrySet()) {
                List<Long> t = e.getValue();
                for (int i = 1; i < t.size(); i++) {
                    assertThat(t.get(i) - t.get(i - 1)).as("%s: sends %d and %d", Ipv4.format(e.getKey()), i - 1, i)
                            .isGreaterThan(INTERVAL_NANOS / 3);
                }
            }
        }
    }
}
