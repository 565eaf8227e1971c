package dev.netscan.bench.targets;

import dev.netscan.core.AddressPermutation;
import dev.netscan.core.Ipv6Permutation;
import dev.netscan.core.TargetSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: what does a sweep's feeder pay per target to walk a {@link TargetSet} in its permuted
 * order, and did giving the set an IPv6 part (issue 16) cost the IPv4 walk anything? Each
 * invocation walks every address of an IPv4 /16 minus two exclusions
 * ({@link #ipv4Slash16}, no allocation), or every address of an IPv6 /112 ({@link #ipv6Slash112},
 * one {@code Inet6Address} per target, as the engine's IPv6 submit needs). Scores are ns per
 * address.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PermutationBenchmark {
    private static final int V4_TARGETS = 65_534 - 256 - 1;
    private static final int V6_TARGETS = 65_535;

    private TargetSet v4;
    private TargetSet v6;
    private long seed;

    @Setup
    public void setUp() {
        v4 = TargetSet.builder().include("10.20.0.0/16").exclude("10.20.7.0/24").exclude("10.20.9.9").build();
        v6 = TargetSet.of("2001:db8::/112");
        if (v4.size() != V4_TARGETS || v6.size() != V6_TARGETS) {
            throw new IllegalStateException("fixture sizes changed: " + v4.size() + ", " + v6.size());
        }
    }

    @Benchmark
    @OperationsPerInvocation(V4_TARGETS)
    public long ipv4Slash16() {
        AddressPermutation p = v4.permutation(seed++);
        long sum = 0;
        while (p.hasNext()) {
            sum += p.nextInt();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(V6_TARGETS)
    public long ipv6Slash112() {
        Ipv6Permutation p = v6.ipv6Permutation(seed++);
        long sum = 0;
        while (p.hasNext()) {
            sum += p.next().hashCode();
        }
        return sum;
    }
}
