package dev.netscan.bench.registry;

import dev.netscan.core.Ipv4;
import dev.netscan.state.DeviceRegistry;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question: what does asking "how many devices are suspended?" cost, at 1,000 / 10,000 / 20,000
 * devices of which 10% are suspended (shared/reference/001 section 1.2)?
 *
 * <p>{@code registry}: {@link DeviceRegistry#suspendedCount()} (one volatile read, kept exact by
 * the registry's expiry timer, which runs here as in production). {@code naive}: the reference's
 * "before", a scan of every device comparing its suspension end with the clock.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class SuspendedCount {
    static final int BASE = 0x0A000000;

    /** "devices:suspended". */
    @Param({"1000:100", "10000:1000", "20000:2000"})
    public String shape;

    DeviceRegistry registry;
    NaiveRegistry naive;

    @Setup(Level.Trial)
    public void fill() {
        int devices = Integer.parseInt(shape.substring(0, shape.indexOf(':')));
        int suspended = Integer.parseInt(shape.substring(shape.indexOf(':') + 1));
        registry = DeviceRegistry.builder().maxDevices(devices).failureThreshold(1)
                .suspendBase(Duration.ofHours(1)).build();
        naive = new NaiveRegistry(devices, System::currentTimeMillis);
        long until = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
        for (int i = 0; i < devices; i++) {
            registry.add(BASE + i);
            naive.add(Ipv4.format(BASE + i));
        }
        for (int i = 0; i < suspended; i++) {
            registry.recordPingFailure(BASE + i * (devices / suspended));
            naive.suspend(Ipv4.format(BASE + i * (devices / suspended)), until);
        }
        if (registry.suspendedCount() != suspended || naive.suspendedCount() != suspended) {
            throw new IllegalStateException("setup: expected " + suspended + " suspended, registry has "
                    + registry.suspendedCount() + ", naive " + naive.suspendedCount());
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        registry.close();
    }

    @Benchmark
    public int registry() {
        return registry.suspendedCount();
    }

    @Benchmark
    public int naive() {
        return naive.suspendedCount();
    }
}
