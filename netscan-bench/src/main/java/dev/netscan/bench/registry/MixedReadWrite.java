package dev.netscan.bench.registry;

import dev.netscan.core.Device;
import dev.netscan.state.DeviceRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * Question: does the registry's single lock hold up when ping results are written and devices
 * are read at the same time from different threads, at 20,000 devices? Is one lock enough, or
 * would striping be needed?
 *
 * <p>Group {@code mixed}: one thread records ping results ({@code recordPingSuccess}, as the
 * ICMP receiver does), one reads ({@code get} then {@code suspendedCount}, as the SNMP scanner
 * and health reporting do). Compare each side with its single-threaded figure in
 * {@link UpdateLastSeen} and {@link Get}; try more threads with {@code -tg 2,2}. The machine
 * has 2 cores, so more threads than that measure the scheduler as much as the lock.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Group)
public class MixedReadWrite {
    @Param({"20000"})
    public int devices;

    DeviceRegistry registry;
    int[] order;

    @Setup(Level.Trial)
    public void fill() {
        registry = Fixture.registry(devices);
        order = Fixture.shuffledAddresses(devices, 3);
        registry.snapshot();
    }

    /** Each thread's position in the address order. */
    @State(Scope.Thread)
    public static class Cursor {
        int i;

        @Setup(Level.Trial)
        public void start() {
            i = (int) Thread.currentThread().threadId() * 7919;
        }
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public void writer(Cursor c) {
        registry.recordPingSuccess(order[c.i++ & (order.length - 1)]);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public int reader(Cursor c) {
        Device d = registry.get(order[c.i++ & (order.length - 1)]);
        return d.failureStreak() + registry.suspendedCount();
    }
}
