package dev.netscan.bench.governor;

import dev.netscan.core.governor.HostSample;
import dev.netscan.core.governor.OshiHostProbe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: how long does one sample of the real host probe ({@link OshiHostProbe}: memory, heap,
 * RSS, CPU ticks, sensors and thermal zones, threads, GC time) take? Target: at most 5 ms.
 *
 * <p>{@link #sampleAfterCachesExpire} is the production figure: the governor samples every 30 s,
 * so OSHI's internal caches (300 ms) have always expired; each invocation is a single shot after
 * a 350 ms pause. {@link #sampleBackToBack} samples in a tight loop, where OSHI serves part of the
 * values from its caches: an optimistic lower bound, shown for comparison.
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HostProbeSampleBenchmark {

    /** A probe sampled after a pause long enough for OSHI's caches to expire. */
    @State(Scope.Thread)
    public static class Cold {
        OshiHostProbe probe;

        @Setup(Level.Trial)
        public void createProbe() {
            probe = new OshiHostProbe();
            probe.sample(); // the first sample initialises OSHI and lists thermal zones
        }

        /** Lets OSHI's 300 ms caches expire, as between two governor samples (not timed). */
        @Setup(Level.Invocation)
        public void pauseLikeTheGovernor() throws InterruptedException {
            Thread.sleep(350);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public HostSample sampleAfterCachesExpire(Cold cold) {
        return cold.probe.sample();
    }

    /** A probe sampled in a tight loop. */
    @State(Scope.Thread)
    public static class Warm {
        OshiHostProbe probe;

        @Setup(Level.Trial)
        public void createProbe() {
            probe = new OshiHostProbe();
            probe.sample();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public HostSample sampleBackToBack(Warm warm) {
        return warm.probe.sample();
    }
}
