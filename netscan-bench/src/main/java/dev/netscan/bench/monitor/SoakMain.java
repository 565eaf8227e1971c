package dev.netscan.bench.monitor;

import dev.netscan.core.HealthReport;
import dev.netscan.core.Ipv4;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.state.DeviceRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak bench for continuous monitoring: N loopback devices (127.64.0.1 upward) pinged every
 * interval for a duration through the real engine, registry and scheduler.
 *
 * <p>Question: does the schedule hold (no missed or doubled pings, p99 lateness at most 10 ms)
 * while staying cheap (process CPU at most 10% of one core, live heap after GC at most 100 MB)?
 * The reference design needs one goroutine per device (~20,000 for 20,000 devices); the thread
 * count is printed beside it.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.netscan.bench.monitor.SoakMain DEVICES INTERVAL DURATION} (durations like {@code 1s},
 * {@code 5m}). Prints one summary line of key=value pairs and exits non-zero if a device missed or
 * doubled pings.
 */
public final class SoakMain {
    private SoakMain() {}

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Duration interval = args.length > 1 ? parse(args[1]) : Duration.ofSeconds(1);
        Duration duration = args.length > 2 ? parse(args[2]) : Duration.ofMinutes(5);
        int base = Ipv4.parse("127.64.0.1");
        AtomicIntegerArray replies = new AtomicIntegerArray(devices);
        AtomicIntegerArray failures = new AtomicIntegerArray(devices);
        AtomicLong points = new AtomicLong();
        MetricsSink sink = new MetricsSink() {
            @Override
            public boolean offerPing(PingResult r) {
                int i = r.ipv4() - base;
                if (r.success()) {
                    replies.incrementAndGet(i);
                } else {
                    failures.incrementAndGet(i);
                }
                points.incrementAndGet();
                return true;
            }

            @Override public boolean offerDeviceInfo(int ip, SnmpInfo info, long t) { return true; }
            @Override public boolean offerPingStats(PingStats s) { points.incrementAndGet(); return true; }
            @Override public boolean offerHealth(HealthReport h) { return true; }
        };
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (IcmpEngine engine = IcmpEngine.start(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = registry(devices)) {
            for (int i = 0; i < devices; i++) {
                registry.add(base + i);
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(interval).pingTimeout(interval.dividedBy(2))
                    .maxConcurrentPingers(devices).statsWindow(interval.multipliedBy(60)).build();
            System.gc();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            scheduler.start();
            // Per-thread CPU over the steady state: from one interval after the start (all
            // devices phased in) to the end, so start-up work does not blur the split.
            Thread.sleep(Math.min(duration.toMillis() / 2, interval.toMillis() * 2));
            ThreadCpu steady0 = ThreadCpu.snapshot();
            long steadyT0 = System.nanoTime();
            Thread.sleep(Math.max(0, duration.toMillis() - (steadyT0 - t0) / 1_000_000));
            ThreadCpu steady1 = ThreadCpu.snapshot();
            double steadyS = (System.nanoTime() - steadyT0) / 1e9;
            int osThreads = ThreadCpu.osThreads();
            scheduler.close();
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            int threads = Thread.activeCount();
            for (String line : steady1.since(steady0, steadyS)) {
                System.out.println(line);
            }
            long deadline = System.nanoTime() + interval.toNanos() * 2;
            while (scheduler.counters().inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.gc();
            long liveHeap = memory.getHeapMemoryUsage().getUsed();
            PingScheduler.Counters c = scheduler.counters();
            long cycles = wall / interval.toNanos();
            int missed = 0;
            int doubled = 0;
            int failed = 0;
            for (int i = 0; i < devices; i++) {
                int n = replies.get(i) + failures.get(i);
                failed += failures.get(i) > 0 ? 1 : 0;
                if (n < cycles - 1) {
                    missed++;
                } else if (n > cycles + 1) {
                    doubled++;
                }
            }
            System.out.printf(Locale.ROOT,
                    "soak devices=%d interval=%s duration=%s pings=%d replies=%d timeouts=%d send_errors=%d "
                            + "devices_missing_pings=%d devices_doubled_pings=%d devices_with_failures=%d "
                            + "lateness_p50_us=%d lateness_p99_us=%d lateness_max_us=%d late_pings=%d "
                            + "cpu_pct_of_one_core=%.2f live_heap_mb=%.1f threads=%d os_threads=%d reference_goroutines=%d%n",
                    devices, interval, duration, c.pingsSent(), c.replies(), c.timeouts(), c.sendErrors(), missed,
                    doubled, failed, c.latenessP50Micros(), c.latenessP99Micros(), c.latenessMaxMicros(),
                    c.latePings(), 100.0 * cpu / wall, liveHeap / 1048576.0, threads, osThreads, devices);
            if (missed > 0 || doubled > 0) {
                System.exit(1);
            }
        }
    }

    /**
     * The registry; {@code -Dsoak.failureThreshold=N} raises the circuit breaker's threshold (for
     * the run where the kernel is told not to answer, so every device keeps being pinged).
     */
    private static DeviceRegistry registry(int devices) {
        DeviceRegistry.Builder b = DeviceRegistry.builder().maxDevices(Math.max(20_000, devices));
        Integer threshold = Integer.getInteger("soak.failureThreshold");
        if (threshold != null) {
            b.failureThreshold(threshold);
        }
        return b.build();
    }

    private static Duration parse(String s) {
        String t = s.trim();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long v = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(v);
            case 'm' -> Duration.ofMinutes(v);
            case 'h' -> Duration.ofHours(v);
            default -> throw new IllegalArgumentException("duration like 500ms, 1s, 5m: " + s);
        };
    }
}
