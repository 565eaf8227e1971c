package dev.netscan.bench.registry;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Question: what does one random memory access that misses every cache cost on this machine,
 * right now? The calibration for {@link AddDeviceWithEviction} at a million devices, whose
 * address map (16 MB) is mostly not in cache, so that every add waits for about one such access:
 * on a shared VM the figure moves with what the neighbours do to the shared L3 and the memory,
 * and the million-device figures move with it. Run it next to them.
 *
 * <p>A pointer chase through a random cyclic permutation of 16 Mi {@code int}s (64 MB, twice the
 * L3): each load's address depends on the previous load, so nothing overlaps. Forked with
 * transparent huge pages like the registry benchmarks, so TLB misses are (nearly) excluded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseTransparentHugePages")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class MemoryLatency {
    static final int STEPS = 1024;
    static final int SIZE = 1 << 24;

    int[] next;
    int at;

    @Setup(Level.Trial)
    public void build() {
        int[] perm = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            perm[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = SIZE - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        next = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            next[perm[i]] = perm[(i + 1) & (SIZE - 1)];
        }
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public int dependentRandomLoad() {
        int[] n = next;
        int p = at;
        for (int i = 0; i < STEPS; i++) {
            p = n[p];
        }
        at = p;
        return p;
    }
}
