package dev.netscan.discovery;

import static dev.netscan.discovery.PingSchedulerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.LocalOutcome;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.state.DeviceRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admission of monitoring probes with real ICMP on loopback: a schedule the caps cannot serve is
 * stretched (every device still pinged), and a probe refused on our side is a local outcome,
 * never a device's failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchedulerAdmissionTest {

    private static DeviceRegistry registryOf(int base, int n) {
        DeviceRegistry r = DeviceRegistry.builder().maxDevices(Math.max(n, 16)).build();
        for (int i = 0; i < n; i++) {
            r.add(base + i);
        }
        return r;
    }

    /** No device was recorded as failing, and every ping point is a device outcome (all replies on loopback). */
    private static void assertNoDeviceFailures(RecordingSink sink, DeviceRegistry registry, int base, int n) {
        assertThat(sink.pings).allSatisfy(p -> assertThat(p.outcome()).isEqualTo(PingResult.Outcome.REPLY));
        for (int i = 0; i < n; i++) {
            assertThat(registry.get(base + i).failureStreak()).as("failure streak of %s", Ipv4.format(base + i)).isZero();
        }
    }

    @Test
    void scheduleBeyondTheInFlightBoundIsStretchedAndEveryDeviceStaysScheduled() throws Exception {
        int base = Ipv4.parse("127.40.0.1");
        List<PingScheduler.Schedule> heard = new CopyOnWriteArrayList<>();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = registryOf(base, 100)) {
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry)
                    .sink(new RecordingSink()).maxConcurrentPingers(60).pingInterval(Duration.ofSeconds(1))
                    .pingTimeout(Duration.ofSeconds(1)).scheduleListener(heard::add).build();
            assertThat(scheduler.reconcile()).isEqualTo(100);
            PingScheduler.Schedule s = scheduler.schedule();
            assertThat(scheduler.counters().scheduled()).isEqualTo(100);
            assertThat(s.stretched()).isTrue();
            assertThat(s.limitedBy()).isEqualTo("max_concurrent_pingers");
            assertThat(s.requiredPps()).isEqualTo(100.0);
            assertThat(s.capacityPps()).isEqualTo(60.0);
            assertThat(s.effectiveIntervalNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1_667));
            assertThat(scheduler.counters().effectiveIntervalNanos()).isEqualTo(s.effectiveIntervalNanos());
            assertThat(heard).containsExactly(s);
            scheduler.reconcile(); // unchanged: not checked again
            assertThat(heard).hasSize(1);
            for (int i = 0; i < 50; i++) {
                registry.remove(base + i);
            }
            scheduler.reconcile();
            assertThat(scheduler.schedule().stretched()).isFalse();
            assertThat(scheduler.schedule().effectiveIntervalNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertThat(heard).hasSize(2);
        }
    }

    @Test
    void aStretchedScheduleStillPingsEveryDeviceAtTheEffectiveInterval() throws Exception {
        int base = Ipv4.parse("127.41.0.1");
        int n = 200;
        RecordingSink sink = new RecordingSink();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = registryOf(base, n)) {
            // 200 devices at 100 ms need 2,000 probes/s; 50 in flight for 100 ms serve 500: stretched to 400 ms
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .maxConcurrentPingers(50).pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(100))
                    .statsWindow(Duration.ofSeconds(1)).build();
            scheduler.start();
            await("stretched", Duration.ofSeconds(10), () -> scheduler.schedule().stretched());
            assertThat(scheduler.schedule().effectiveIntervalNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
            await("every device pinged three times", Duration.ofSeconds(30),
                    () -> allPinged(sink, base, n, 3));
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            assertNoDeviceFailures(sink, registry, base, n);
            for (int i = 0; i < n; i++) {
                List<PingResult> p = sink.pingsOf(base + i);
                for (int k = 1; k < p.size(); k++) {
                    long gap = p.get(k).sentAtEpochNanos() - p.get(k - 1).sentAtEpochNanos();
                    // 400 ms less the lateness of a loaded machine; unstretched it would be 100 ms
                    assertThat(gap).as("gap between pings of %s", Ipv4.format(base + i))
                            .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
        }
    }

    private static boolean allPinged(RecordingSink sink, int base, int n, int times) {
        int[] count = new int[n];
        for (PingResult p : sink.pings) {
            int i = p.ipv4() - base;
            if (i >= 0 && i < n) {
                count[i]++;
            }
        }
        for (int c : count) {
            if (c < times) {
                return false;
            }
        }
        return true;
    }

    @Test
    void probesBeyondTheInFlightBoundAreLocalOutcomesNotDeviceFailures() throws Exception {
        int base = Ipv4.parse("127.42.0.1");
        int n = 100;
        RecordingSink sink = new RecordingSink();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = registryOf(base, n)) {
            // a 10 ms interval is one tick: all 100 probes leave in one burst, and only 5 may be in flight
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .maxConcurrentPingers(5).pingInterval(Duration.ofMillis(10)).pingTimeout(Duration.ofMillis(10))
                    .statsWindow(Duration.ofMillis(100)).build();
            scheduler.start();
            await("in-flight refusals", Duration.ofSeconds(20),
                    () -> scheduler.counters().local().get(LocalOutcome.IN_FLIGHT_FULL) > 1_000
                            && scheduler.counters().replies() > 100);
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.timeouts() + c.sendErrors() + c.unreachable()).isZero();
            assertNoDeviceFailures(sink, registry, base, n);
            assertThat(sink.pings).hasSize((int) c.replies());
            assertLossExcludesLocal(sink);
        }
    }

    /** ping_stats windows carry the local outcomes beside a loss computed from device outcomes only. */
    private static void assertLossExcludesLocal(RecordingSink sink) {
        assertThat(sink.stats).anySatisfy(st -> assertThat(st.localOutcomes()).isPositive());
        for (PingStats st : sink.stats) {
            assertThat(st.lossPercent()).isZero(); // loopback answers every probe actually sent
            assertThat(st.sent()).isEqualTo(st.received());
        }
    }

    @Test
    void governorShedHalvesMonitoringAsLocalOutcomes() throws Exception {
        int base = Ipv4.parse("127.43.0.1");
        int n = 50;
        RecordingSink sink = new RecordingSink();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = registryOf(base, n)) {
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(50)).pingTimeout(Duration.ofMillis(50))
                    .statsWindow(Duration.ofMillis(200)).shed(() -> true).build();
            scheduler.start();
            await("shed probes", Duration.ofSeconds(20),
                    () -> scheduler.counters().local().get(LocalOutcome.GOVERNOR_SHED) >= 10L * n);
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            PingScheduler.Counters c = scheduler.counters();
            long shed = c.local().get(LocalOutcome.GOVERNOR_SHED);
            assertThat(c.local().total()).isEqualTo(shed);
            // every other cycle is shed: as many sent as shed, give or take the cycle in progress
            assertThat(Math.abs(c.pingsSent() - shed)).isLessThanOrEqualTo(n);
            assertNoDeviceFailures(sink, registry, base, n);
            assertLossExcludesLocal(sink);
        }
    }

    @Test
    void monitoringIsExemptFromTheSweepsRateLimit() throws Exception {
        int base = Ipv4.parse("127.44.0.1");
        int n = 200;
        RecordingSink sink = new RecordingSink();
        // 50 probes/s is the sweep's politeness budget; 200 devices at 100 ms need 2,000 a second
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().rateLimitPps(50).build());
                DeviceRegistry registry = registryOf(base, n)) {
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(100))
                    .statsWindow(Duration.ofMillis(500)).build();
            scheduler.start();
            await("every device pinged ten times", Duration.ofSeconds(30), () -> allPinged(sink, base, n, 10));
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            assertThat(scheduler.counters().local().total()).isZero();
            assertNoDeviceFailures(sink, registry, base, n);
        }
    }

    @Test
    void aFullEngineQueueIsAnInFlightLocalOutcome() throws Exception {
        int base = Ipv4.parse("127.45.0.1");
        int n = 200;
        RecordingSink sink = new RecordingSink();
        // 4 probes in flight and a queue of 4: most of a 200-probe tick is refused by the engine
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().maxInFlight(4).laneQueueCapacity(4).build());
                DeviceRegistry registry = registryOf(base, n)) {
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(10)).pingTimeout(Duration.ofMillis(10))
                    .statsWindow(Duration.ofMillis(100)).build();
            scheduler.start();
            await("engine refusals over several statistics windows", Duration.ofSeconds(20),
                    () -> scheduler.counters().local().get(LocalOutcome.IN_FLIGHT_FULL) > 5_000
                            && scheduler.counters().replies() > 20 && !sink.stats.isEmpty());
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            assertNoDeviceFailures(sink, registry, base, n);
            assertThat(scheduler.counters().sendErrors()).isZero();
            assertLossExcludesLocal(sink);
        }
    }

    @Test
    void repliesTheKernelDroppedAreReceiveQueueOverflowsNotTimeouts() throws Exception {
        int base = Ipv4.parse("127.46.0.1");
        int n = 2_000;
        RecordingSink sink = new RecordingSink();
        // a 4 KiB receive buffer (the smallest the engine takes) holds a few replies: each 10 ms tick's burst
        // of 200 replies overflows it
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().receiveBufferBytes(4_096).build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(n).failureThreshold(1_000).build()) {
            for (int i = 0; i < n; i++) {
                registry.add(base + i);
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(100))
                    .statsWindow(Duration.ofMillis(500)).build();
            scheduler.start();
            await("kernel drops, and statistics windows with them", Duration.ofSeconds(20),
                    () -> scheduler.counters().local().get(LocalOutcome.RECEIVE_QUEUE_OVERFLOW) > 100
                            && sink.stats.stream().anyMatch(st -> st.localOutcomes() > 0));
            scheduler.close();
            await("every probe ended", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            PingScheduler.Counters c = scheduler.counters();
            // loopback answers everything: what is lost was dropped by the kernel. The socket's own
            // drops (SO_MEMINFO) become local outcomes, at most one per drop; losses no socket
            // counts (measured under load: about a quarter) remain timeouts
            long overflows = c.local().get(LocalOutcome.RECEIVE_QUEUE_OVERFLOW);
            assertThat(overflows).as("timeouts %d", c.timeouts()).isGreaterThan(c.timeouts());
            assertThat(sink.pings).noneSatisfy(p -> assertThat(p.outcome()).isEqualTo(PingResult.Outcome.ERROR));
            assertThat(sink.stats).anySatisfy(st -> assertThat(st.localOutcomes()).isPositive());
        }
    }
}
