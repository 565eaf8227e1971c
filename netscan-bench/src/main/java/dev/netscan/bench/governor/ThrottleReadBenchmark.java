package dev.netscan.bench.governor;

import dev.netscan.core.Profile;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.GovernorSettings;
import dev.netscan.core.governor.Throttle;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does a busy loop pay to read the governor's throttle state (target: at most
 * 5 ns, no allocation)? {@link #readRateLimit} is what the ICMP sender does per batch;
 * {@link #readWholeThrottle} reads every knob; {@link #baselinePlainField} reads the same record
 * through a plain (non-volatile) field: the floor a lock-free read can reach. Run with
 * {@code -prof gc} to see 0 B/op.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ThrottleReadBenchmark {

    private Governor governor;
    private Throttle plain;

    @Setup(Level.Trial)
    public void setUp() {
        FakeHostProbe host = new FakeHostProbe().temperatureCelsius(80); // a throttled, non-baseline state
        governor = new Governor(GovernorSettings.builder().profile(Profile.HIGH_PERFORMANCE).build(), host);
        governor.sampleNow();
        plain = governor.throttle();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        governor.close();
    }

    @Benchmark
    public int readRateLimit() {
        return governor.throttle().rateLimitPps();
    }

    @Benchmark
    public long readWholeThrottle() {
        Throttle t = governor.throttle();
        return t.rateLimitPps() + t.probesInFlight() + t.snmpInFlight() + t.writerBatchSize() + t.pacingNanos()
                + (t.discoveryPaused() ? 1 : 0);
    }

    @Benchmark
    public int baselinePlainField() {
        return plain.rateLimitPps();
    }
}
