package dev.netscan.bench.governor;

import dev.netscan.core.governor.ErrorRate;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.GovernorSettings;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Question: what does the ICMP engine or the writer pay per counted operation
 * ({@link ErrorRate#recordEvent()}), with two threads recording at once, and is it allocation-free
 * ({@code -prof gc})? Baseline: a shared {@link AtomicLong}, the naive counter.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class ErrorRateRecordBenchmark {

    private ErrorRate rate;
    private final AtomicLong naive = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        rate = new Governor(GovernorSettings.defaults(), new FakeHostProbe()).errorRate("icmp");
    }

    @Benchmark
    public void recordEvent() {
        rate.recordEvent();
    }

    @Benchmark
    public long baselineAtomicLong() {
        return naive.incrementAndGet();
    }
}
