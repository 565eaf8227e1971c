package dev.netscan.bench.registry;

import dev.netscan.core.Ipv4;
import dev.netscan.state.CoarseClock;
import dev.netscan.state.DeviceRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question: what does adding a new device cost when the registry is full, so that every add
 * evicts the least recently seen device, and how does that grow with the number of devices?
 *
 * <p>{@code registry}: {@link DeviceRegistry} (eviction order: a time-sorted list, O(1) for
 * in-order times) at 100 to 1,000,000 devices. {@code naive}: the reference's "before"
 * (shared/reference/001 section 1.1: string-keyed map of device objects, full scan for the
 * oldest, O(n)) at 100 to 20,000.
 * {@code primitiveScan}: the same scan over a primitive map, the strongest O(n) baseline.
 * {@code registrySuppliedTime}: the registry with the caller passing the time. Each
 * operation adds an address never seen before; the clock is the real wall clock, as in
 * production. Setup fills the registry once per trial (a million adds take well under a second).
 *
 * <p>Forked with {@code -XX:+UseTransparentHugePages} (as {@code scripts/netscan} and the systemd
 * unit start netscan) at every size, so that 1,000 and 1,000,000 devices are measured alike.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AddDeviceWithEviction {
    static final int BASE = 0x0A000000;

    /** A full registry of {@code devices}. */
    @State(Scope.Thread)
    public static class Heap {
        @Param({"100", "1000", "10000", "20000", "100000", "1000000"})
        public int devices;

        DeviceRegistry registry;
        int next;
        long time;

        @Setup(Level.Trial)
        public void fill() {
            registry = DeviceRegistry.builder().maxDevices(devices).expiryTimer(false).build();
            time = System.currentTimeMillis();
            for (int i = 0; i < devices; i++) {
                registry.add(BASE + i);
            }
            next = BASE + devices;
            time = System.currentTimeMillis() + 1;
        }
    }

    /** A full registry of {@code devices} reading {@link CoarseClock} instead of the system clock. */
    @State(Scope.Thread)
    public static class CoarseHeap {
        @Param({"100", "1000", "10000", "20000", "100000", "1000000"})
        public int devices;

        DeviceRegistry registry;
        int next;

        @Setup(Level.Trial)
        public void fill() {
            registry = DeviceRegistry.builder().maxDevices(devices).clock(CoarseClock::millis).expiryTimer(false)
                    .build();
            for (int i = 0; i < devices; i++) {
                registry.add(BASE + i);
            }
            next = BASE + devices;
        }
    }

    /** A full naive registry of {@code naiveDevices}. */
    @State(Scope.Thread)
    public static class Naive {
        @Param({"100", "1000", "10000", "20000"})
        public int naiveDevices;

        NaiveRegistry registry;
        int next;

        @Setup(Level.Trial)
        public void fill() {
            registry = new NaiveRegistry(naiveDevices, System::currentTimeMillis);
            for (int i = 0; i < naiveDevices; i++) {
                registry.add(Ipv4.format(BASE + i));
            }
            next = BASE + naiveDevices;
        }
    }

    /** A full primitive-scan registry of {@code scanDevices}. */
    @State(Scope.Thread)
    public static class PrimitiveScan {
        @Param({"100", "1000", "10000", "20000"})
        public int scanDevices;

        PrimitiveScanRegistry registry;
        int next;

        @Setup(Level.Trial)
        public void fill() {
            registry = new PrimitiveScanRegistry(scanDevices, System::currentTimeMillis);
            for (int i = 0; i < scanDevices; i++) {
                registry.add(BASE + i);
            }
            next = BASE + scanDevices;
        }
    }

    @Benchmark
    public boolean registry(Heap s) {
        return s.registry.add(s.next++);
    }

    /**
     * The same add with the time supplied by the caller ({@link DeviceRegistry#add(int, long)}),
     * as the ICMP receiver does with each reply's timestamp: no clock read in the registry. The
     * times strictly increase, so every new device is appended to the registry's time-sorted
     * eviction list.
     */
    @Benchmark
    public boolean registrySuppliedTime(Heap s) {
        return s.registry.add(s.next++, s.time++);
    }

    /**
     * The registry built with {@code clock(CoarseClock::millis)}: the same add, with the wall
     * clock read from a value refreshed every millisecond (what an embedding application that
     * adds at this rate would choose; not the default, see {@link CoarseClock}).
     */
    @Benchmark
    public boolean registryCoarseClock(CoarseHeap s) {
        return s.registry.add(s.next++);
    }

    /**
     * Supplied times that tie in runs of 16,384 adds, as millisecond wall-clock times do when
     * adds come faster than one per millisecond: isolates what ties cost from the clock read
     * (with the 8-ary heap of before 2026-11-24 17:00 UTC they cost up to 25 ns at 20,000
     * devices; the time-sorted list appends a tie like any other time).
     */
    @Benchmark
    public boolean registryTiedTime(Heap s) {
        int ip = s.next++;
        return s.registry.add(ip, s.time + (ip >>> 14));
    }

    @Benchmark
    public int naive(Naive s) {
        s.registry.add(Ipv4.format(s.next++));
        return s.registry.size();
    }

    @Benchmark
    public int primitiveScan(PrimitiveScan s) {
        s.registry.add(s.next++);
        return s.registry.size();
    }
}
