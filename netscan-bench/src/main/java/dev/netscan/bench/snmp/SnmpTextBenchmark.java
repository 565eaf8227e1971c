package dev.netscan.bench.snmp;

import dev.netscan.discovery.snmp.SnmpText;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Question: what does sanitising one SNMP string cost, for the shapes agents send (a typical
 * sysDescr, a hostile one with controls and newlines, binary bytes shown as hex, a 60 KB value cut
 * to 1,024 bytes)? Baseline: {@code new String(bytes, UTF_8)}, which does none of the checks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SnmpTextBenchmark {

    @Param({"typical", "hostile", "binary", "huge"})
    public String shape;

    private byte[] input;

    @Setup
    public void setUp() {
        input = switch (shape) {
            case "typical" -> "Linux gw-01 6.1.0-18-arm64 #1 SMP Debian 6.1.76-1 (2024-02-01) aarch64".getBytes(StandardCharsets.UTF_8);
            case "hostile" -> "evil\u0000desc\r\nping,host=x rtt=1 1\n\u202Espoof\u0007".repeat(4).getBytes(StandardCharsets.UTF_8);
            case "binary" -> new byte[] {0x00, 0x1b, 0x21, (byte) 0xfe, (byte) 0xc0, 0x10, 0x00, 0x7f};
            case "huge" -> "A".repeat(60_000).getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    @Benchmark
    public String sanitize() {
        return SnmpText.sanitize(input);
    }

    @Benchmark
    public String baselineNewString() {
        return new String(input, StandardCharsets.UTF_8);
    }
}
