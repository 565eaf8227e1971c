package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.state.DeviceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The continuous-monitoring scheduler with real ICMP: loopback, and dead hosts in a namespace. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PingSchedulerTest {

    /** Waits for {@code condition}, failing with {@code what} after {@code limit}. */
    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Fixed-rate pings of one device are an interval apart; a probe sent late (the scheduler thread
     * starved, the scheduler then catches up) may come closer to the next by at most its lateness.
     * So two sends closer than {@code interval - maxLateness - slack} mean a device was pinged
     * twice for one due time.
     */
    private static void assertNeverTwiceInOneInterval(int ip, List<Long> sentAt, long intervalNanos,
            PingScheduler.Counters c) {
        List<Long> t = new ArrayList<>(sentAt);
        t.sort(Long::compare);
        long slackNanos = TimeUnit.MILLISECONDS.toNanos(15);
        long minGap = intervalNanos - c.latenessMaxMicros() * 1_000 - slackNanos;
        for (int i = 1; i < t.size(); i++) {
            assertThat(t.get(i) - t.get(i - 1))
                    .as("%s: sends %d and %d closer than one interval (max lateness %d us)", Ipv4.format(ip), i - 1, i,
                            c.latenessMaxMicros())
                    .isGreaterThan(Math.min(minGap, intervalNanos / 2));
        }
    }

    @Test
    void pingsTwoThousandLoopbackDevicesOncePerIntervalEach() throws Exception {
        int devices = 2_000;
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(200);
        RecordingSink sink = new RecordingSink();
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(10_000).build()) {
            int base = Ipv4.parse("127.20.0.1");
            for (int i = 0; i < devices; i++) {
                registry.add(base + i);
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(150))
                    .statsWindow(Duration.ofSeconds(1)).build();
            long start = System.nanoTime();
            scheduler.start();
            await("ten intervals", Duration.ofSeconds(30), () -> System.nanoTime() - start >= 10 * intervalNanos);
            scheduler.close();
            long ranNanos = System.nanoTime() - start;
            await("every probe answered", Duration.ofSeconds(10),
                    () -> scheduler.counters().inFlight() == 0);

            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.scheduled()).isEqualTo(devices);
            assertThat(c.pingsSent()).isEqualTo(sink.pings.size());
            assertThat(c.sendErrors()).isZero();
            long maxPerDevice = ranNanos / intervalNanos + 1;
            Map<Integer, List<PingResult>> byDevice = new HashMap<>();
            for (PingResult r : sink.pings) {
                assertThat(r.outcome()).as("loopback always answers").isEqualTo(PingResult.Outcome.REPLY);
                byDevice.computeIfAbsent(r.ipv4(), k -> new ArrayList<>()).add(r);
            }
            assertThat(byDevice).hasSize(devices);
            for (Map.Entry<Integer, List<PingResult>> e : byDevice.entrySet()) {
                List<PingResult> rs = e.getValue();
                rs.sort((a, b) -> Long.compare(a.sentAtEpochNanos(), b.sentAtEpochNanos()));
                assertThat(rs.size()).as("results of %s", Ipv4.format(e.getKey()))
                        .isBetween(9, (int) maxPerDevice);
                assertNeverTwiceInOneInterval(e.getKey(), rs.stream().map(PingResult::sentAtEpochNanos).toList(),
                        intervalNanos, c);
            }
            // ping_stats windows of 5 pings each, one per device per completed window
            assertThat(sink.stats).isNotEmpty();
            for (PingStats s : sink.stats) {
                assertThat(s.sent()).isEqualTo(5);
                assertThat(s.received()).isEqualTo(5);
                assertThat(s.lossPercent()).isZero();
                assertThat(s.rttMinMillis()).isLessThanOrEqualTo(s.rttP95Millis()).isLessThanOrEqualTo(s.rttMaxMillis());
            }
            assertThat(registry.get(base).lastStats()).isNotNull();
            assertThat(c.latenessP99Micros()).isLessThanOrEqualTo(c.latenessMaxMicros());
        }
    }

    @Test
    void devicesThatGoDeadAreSuspendedAndResumeWhenTheyAnswerAgain() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (NetNamespace ns = NetNamespace.create();
                IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().failureThreshold(3)
                        .suspendBase(Duration.ofMillis(600)).suspendMax(Duration.ofMillis(600)).build()) {
            int base = Ipv4.parse("127.1.0.1");
            List<Integer> dead = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                registry.add(base + i);
                if (i < 15) {
                    dead.add(base + i); // 127.1.0.1 - 127.1.0.15 = 127.1.0.0/28 minus its network address
                }
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(80))
                    .statsWindow(Duration.ofSeconds(1)).build();
            scheduler.start();
            try {
                await("first replies", Duration.ofSeconds(10), () -> scheduler.counters().replies() >= 80);
                assertThat(registry.suspendedCount()).isZero();

                ns.dropEchoRequestsTo("127.1.0.0/28");
                await("15 dead devices suspended", Duration.ofSeconds(20), () -> {
                    int n = registry.suspendedCount();
                    assertThat(n).isLessThanOrEqualTo(15);
                    return n == 15;
                });
                for (int i = 0; i < 40; i++) {
                    assertThat(registry.isSuspended(base + i)).as("suspended %s", Ipv4.format(base + i))
                            .isEqualTo(i < 15);
                }
                long skipsBefore = scheduler.counters().suspendedSkips();
                await("suspended devices skipped", Duration.ofSeconds(5),
                        () -> scheduler.counters().suspendedSkips() > skipsBefore);

                ns.exec("iptables", "-w", "-D", "INPUT", "-p", "icmp", "--icmp-type", "echo-request",
                        "-d", "127.1.0.0/28", "-j", "DROP");
                await("all resumed", Duration.ofSeconds(20), () -> {
                    for (int ip : dead) {
                        if (registry.failureStreak(ip) != 0 || registry.isSuspended(ip)) {
                            return false;
                        }
                    }
                    return true;
                });
                assertThat(registry.suspendedCount()).isZero();
            } finally {
                scheduler.close();
            }
            for (int ip : dead) {
                List<PingResult> rs = sink.pingsOf(ip);
                assertThat(rs).extracting(PingResult::outcome).contains(PingResult.Outcome.TIMEOUT);
                assertThat(rs.getLast().outcome()).isEqualTo(PingResult.Outcome.REPLY);
            }
            assertThat(sink.pingsOf(base + 20)).extracting(PingResult::outcome).containsOnly(PingResult.Outcome.REPLY);
        }
    }

    @Test
    void reconciliationUnderChurnNeverDoubleSchedulesOrLeaks() throws Exception {
        RecordingSink sink = new RecordingSink();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(100);
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(5_000).build()) {
            int base = Ipv4.parse("127.30.0.1");
            for (int i = 0; i < 500; i++) {
                registry.add(base + i);
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(80))
                    .reconcileInterval(Duration.ofMillis(20)).statsWindow(Duration.ofSeconds(1)).build();
            scheduler.start();
            SplittableRandom random = new SplittableRandom(7);
            Set<Integer> present = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                present.add(base + i);
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            int ops = 0;
            while (System.nanoTime() < end && ops < 20_000) {
                int ip = base + random.nextInt(1_000);
                if (present.contains(ip)) {
                    registry.remove(ip);
                    present.remove(ip);
                } else {
                    registry.add(ip);
                    present.add(ip);
                }
                if (++ops % 50 == 0) {
                    Thread.sleep(5);
                }
            }
            // a reconcile that starts after the churn ended sees the final registry; the second
            // one after that starts only once the first has finished
            long before = scheduler.counters().reconciliations();
            scheduler.requestReconcile();
            await("a full reconciliation after the churn", Duration.ofSeconds(10),
                    () -> scheduler.counters().reconciliations() >= before + 2);
            assertThat(scheduler.counters().scheduled()).isEqualTo(registry.size());
            scheduler.close();
            for (int i = 0; i < 1_000; i++) {
                assertThat(scheduler.isScheduled(base + i)).as("%s scheduled", Ipv4.format(base + i))
                        .isEqualTo(present.contains(base + i));
            }
            assertThat(scheduler.counters().local().total()).isZero();
            Map<Integer, List<Long>> sends = new HashMap<>();
            for (PingResult r : sink.pings) {
                sends.computeIfAbsent(r.ipv4(), k -> new ArrayList<>()).add(r.sentAtEpochNanos());
            }
            for (Map.Entry<Integer, List<Long>> e : sends.entrySet()) {
                assertNeverTwiceInOneInterval(e.getKey(), e.getValue(), intervalNanos, scheduler.counters());
            }
        }
    }
}
