package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.LoopFaults;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.discovery.snmp.SnmpEnrichment;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.state.DeviceRegistry;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 2 for discovery's loops: the ping scheduler, the sweep's feeder and SNMP's periodic
 * scan catch what their tasks throw (a throwing sink, an {@link OutOfMemoryError} thrown by a test
 * hook), count it, report it and continue; a scheduler thread that ends is restarted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopSurvivalTest {

    /** Records what the loops report; throws from {@code failed} of {@code killLoop} once, to end its thread. */
    static final class Faults implements LoopFaults {
        final List<String> failed = new CopyOnWriteArrayList<>();
        final List<String> restarted = new CopyOnWriteArrayList<>();
        volatile String killLoop;

        @Override
        public void failed(String loop, Throwable cause, long failures) {
            failed.add(loop + ":" + cause.getClass().getSimpleName());
            if (loop.equals(killLoop)) {
                killLoop = null;
                throw new InternalError("test: the alert path fails while reporting");
            }
        }

        @Override
        public void restarted(String loop, Throwable cause, long restarts) {
            restarted.add(loop + ":" + restarts);
        }
    }

    /** A sink whose first offers of each kind throw an OutOfMemoryError (a test hook, not a real OOM). */
    static final class ThrowingSink extends RecordingSink {
        final AtomicInteger pingThrows = new AtomicInteger(3);
        final AtomicInteger statsThrows = new AtomicInteger(3);

        @Override
        public boolean offerPing(PingResult r) {
            if (pingThrows.getAndDecrement() > 0) {
                throw new OutOfMemoryError("test: thrown by the sink on an engine thread");
            }
            return super.offerPing(r);
        }

        @Override
        public boolean offerPingStats(PingStats s) {
            if (statsThrows.getAndDecrement() > 0) {
                throw new OutOfMemoryError("test: thrown by the sink on the scheduler thread");
            }
            return super.offerPingStats(s);
        }
    }

    private static PingScheduler scheduler(IcmpEngine engine, DeviceRegistry registry, RecordingSink sink, LoopFaults faults) {
        int base = Ipv4.parse("127.21.0.1");
        for (int i = 0; i < 20; i++) {
            registry.add(base + i);
        }
        return PingScheduler.builder().engine(engine).registry(registry).sink(sink).loopFaults(faults)
                .pingInterval(Duration.ofMillis(50)).pingTimeout(Duration.ofMillis(40))
                .statsWindow(Duration.ofMillis(100)).build();
    }

    @Test
    void theSchedulerSurvivesASinkThrowingOutOfMemoryErrorOnItsThreadAndOnTheEngines() throws Exception {
        ThrowingSink sink = new ThrowingSink();
        Faults faults = new Faults();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(100).build()) {
            PingScheduler s = scheduler(engine, registry, sink, faults);
            s.start();
            PingSchedulerTest.await("pings and stats written after the failures", Duration.ofSeconds(20),
                    () -> sink.pings.size() > 100 && sink.stats.size() > 50);
            s.close();
            PingScheduler.Counters c = s.counters();
            assertThat(c.loopFailures()).as("3 step failures + at least 1 result failure").isGreaterThanOrEqualTo(4);
            assertThat(c.loopRestarts()).isZero();
            assertThat(faults.failed).contains("ping-scheduler:OutOfMemoryError", "ping-results:OutOfMemoryError");
            assertThat(engine.counters().listenerErrors()).as("nothing reached the engine").isZero();
            assertThat(engine.failure()).isNull();
        }
    }

    @Test
    void aSchedulerThreadThatEndsIsRestartedAndPingingGoesOn() throws Exception {
        ThrowingSink sink = new ThrowingSink();
        sink.pingThrows.set(0);
        sink.statsThrows.set(1);
        Faults faults = new Faults();
        faults.killLoop = "ping-scheduler";
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(100).build()) {
            PingScheduler s = scheduler(engine, registry, sink, faults);
            s.start();
            PingSchedulerTest.await("the restart", Duration.ofSeconds(20), () -> s.counters().loopRestarts() == 1);
            long before = sink.pings.size();
            PingSchedulerTest.await("pings from the new thread", Duration.ofSeconds(20), () -> sink.pings.size() > before + 100);
            s.close();
            assertThat(faults.restarted).containsExactly("ping-scheduler:1");
            assertThat(s.counters().scheduled()).as("the wheel survived the restart").isEqualTo(20);
        }
    }

    @Test
    void aSweepWhoseListenerThrowsFromAcceptsEndsWithWhatItFoundInsteadOfHanging() throws Exception {
        AtomicLong asked = new AtomicLong();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build())) {
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.22.0.0/24"), SweepOptions.defaults(),
                    new SweepListener() {
                        @Override
                        public void onAlive(int ipv4, long rttNanos) {
                            throw new OutOfMemoryError("test: thrown by the listener on an engine thread");
                        }

                        @Override
                        public boolean accepts(int ipv4) {
                            if (asked.incrementAndGet() == 50) {
                                throw new OutOfMemoryError("test: thrown by accepts on the feeder");
                            }
                            return true;
                        }
                    });
            SweepSummary summary = sweep.await(Duration.ofSeconds(20));
            assertThat(summary.cancelled()).isTrue();
            assertThat(sweep.feederFailure()).isInstanceOf(OutOfMemoryError.class);
            assertThat(sweep.listenerErrors()).isGreaterThanOrEqualTo(1);
            assertThat(engine.failure()).isNull();
        }
    }

    @Test
    void snmpsPeriodicScanSurvivesAnOutOfMemoryErrorAndRunsAgain() throws Exception {
        Faults faults = new Faults();
        AtomicInteger calls = new AtomicInteger();
        try (SnmpEnrichment e = SnmpEnrichment.builder(SnmpSettings.builder().community("lab").interval(Duration.ofSeconds(1)).build())
                .loopFaults(faults).build()) {
            e.schedulePeriodic(() -> {
                if (calls.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("test: thrown by the device list");
                }
                return new IntArrayList();
            });
            PingSchedulerTest.await("the scan after the failure", Duration.ofSeconds(10), () -> calls.get() >= 2);
            assertThat(e.periodicFailures()).isEqualTo(1);
            assertThat(faults.failed).containsExactly("snmp-interval:OutOfMemoryError");
        }
    }
}
