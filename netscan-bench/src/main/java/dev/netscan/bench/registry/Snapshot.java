package dev.netscan.bench.registry;

import dev.netscan.core.Device;
import dev.netscan.state.DeviceRegistry;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.List;
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
 * Question: what does reading every device at once cost at 20,000 devices: all addresses (what
 * reconciliation needs every few seconds) and all immutable snapshots (what a status page needs)?
 *
 * <p>{@code addresses}: {@link DeviceRegistry#addresses(IntArrayList)} into a reused list
 * (allocation-free). {@code snapshot}: {@link DeviceRegistry#snapshot()} with every device
 * unchanged since the last read (allocates only the list). {@code snapshotAllChanged}: every
 * device changed since the last read, so every record is rebuilt (includes 20,000 touches).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class Snapshot {
    @Param({"20000"})
    public int devices;

    DeviceRegistry registry;
    IntArrayList into;

    @Setup(Level.Trial)
    public void fill() {
        registry = Fixture.registry(devices);
        into = new IntArrayList(devices);
        registry.snapshot();
    }

    @Benchmark
    public int addresses() {
        return registry.addresses(into);
    }

    @Benchmark
    public List<Device> snapshot() {
        return registry.snapshot();
    }

    @Benchmark
    public List<Device> snapshotAllChanged() {
        for (int i = 0; i < devices; i++) {
            registry.touch(Fixture.BASE + i);
        }
        return registry.snapshot();
    }
}
