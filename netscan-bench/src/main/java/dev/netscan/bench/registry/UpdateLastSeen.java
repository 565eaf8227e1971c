package dev.netscan.bench.registry;

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
 * Question: what does recording that a known device answered (or failed) cost at 20,000
 * devices, and does it allocate (run with {@code -prof gc})? This is what every ping result does.
 *
 * <p>{@code touch}: last seen moves to now and the device moves to the end of the
 * eviction order.
 * {@code recordPingSuccess}: the same plus clearing the breaker. {@code recordPingFailure}:
 * counting a failure (threshold out of reach, so it never suspends). Devices are visited in a
 * fixed random order; the clock is the real wall clock.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class UpdateLastSeen {
    @Param({"20000"})
    public int devices;

    DeviceRegistry registry;
    int[] order;
    int i;

    @Setup(Level.Trial)
    public void fill() {
        registry = Fixture.registry(devices);
        order = Fixture.shuffledAddresses(devices, 1);
    }

    @Benchmark
    public void touch() {
        registry.touch(order[i++ & (order.length - 1)]);
    }

    @Benchmark
    public void recordPingSuccess() {
        registry.recordPingSuccess(order[i++ & (order.length - 1)]);
    }

    @Benchmark
    public boolean recordPingFailure() {
        return registry.recordPingFailure(order[i++ & (order.length - 1)]);
    }
}
