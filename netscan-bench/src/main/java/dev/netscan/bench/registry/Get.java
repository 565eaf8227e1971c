package dev.netscan.bench.registry;

import dev.netscan.core.Device;
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
 * Question: what does reading one device cost at 20,000 devices, and does it allocate (run with
 * {@code -prof gc})?
 *
 * <p>{@code get}: the immutable {@link Device} snapshot of a device that did not change since it
 * was last read (the registry caches it: no allocation). {@code getAfterChange}: touch the device,
 * then read it: the snapshot must be rebuilt, so this one allocates one record; it shows the cost
 * of a read that follows a write. {@code lastSeen}: the allocation-free primitive accessor.
 * Devices are visited in a fixed random order.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class Get {
    @Param({"20000"})
    public int devices;

    DeviceRegistry registry;
    int[] order;
    int i;

    @Setup(Level.Trial)
    public void fill() {
        registry = Fixture.registry(devices);
        order = Fixture.shuffledAddresses(devices, 2);
        registry.snapshot(); // every device read once, as a steady-state reader would have
    }

    @Benchmark
    public Device get() {
        return registry.get(order[i++ & (order.length - 1)]);
    }

    @Benchmark
    public long lastSeen() {
        return registry.lastSeen(order[i++ & (order.length - 1)]);
    }

    @Benchmark
    public Device getAfterChange() {
        int ip = order[i++ & (order.length - 1)];
        registry.recordPingFailure(ip);
        return registry.get(ip);
    }
}
