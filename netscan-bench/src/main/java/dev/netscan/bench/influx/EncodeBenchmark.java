package dev.netscan.bench.influx;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.influx.LineProtocolEncoder;
import dev.netscan.influx.Measurements;
import dev.netscan.influx.Precision;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How fast do we turn ping results into line protocol, and what does it allocate, next to what a
 * user would otherwise write: influxdb-client-java's {@code Point} built per result and rendered
 * with {@code toLineProtocol()}? One operation = one point (a batch of 5,000 per invocation,
 * 20,000 devices' worth of addresses, 2% timeouts). Run with {@code -prof gc} for B/op: ours must
 * be 0 in steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EncodeBenchmark {
    static final int BATCH = 5_000;

    PingResult[] pings;
    dev.netscan.core.PingStats[] stats;
    LineProtocolEncoder encoder;

    @Setup
    public void setUp() {
        pings = BenchPoints.pings(BATCH, 20_000);
        encoder = new LineProtocolEncoder(Precision.NANOSECONDS, 1 << 20);
        stats = new dev.netscan.core.PingStats[BATCH];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < BATCH; i++) {
            double avg = rnd.nextDouble() * 20;  // arbitrary doubles: 16-17 significant digits
            stats[i] = new dev.netscan.core.PingStats(0x0A000001 + i, BenchPoints.T0 + i, 60_000_000_000L, 60, 59,
                    100.0 / 60, avg / 3, avg, avg * 2, avg / 7, avg / 11, avg * 1.5);
        }
    }

    /** netscan: ping_stats lines (nine fields, mostly arbitrary doubles: the float formatter's worst case). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int netscanEncoderPingStats() {
        LineProtocolEncoder e = encoder;
        e.reset();
        for (dev.netscan.core.PingStats s : stats) {
            Measurements.pingStats(e, s);
        }
        return e.size();
    }

    /** netscan: straight into the reused byte buffer. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int netscanEncoder() {
        LineProtocolEncoder e = encoder;
        e.reset();
        for (PingResult p : pings) {
            Measurements.ping(e, p);
        }
        return e.size();
    }

    /** Peer: influxdb-client-java Point per result, toLineProtocol() per point. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long influxClientPoint() {
        long total = 0;
        for (PingResult p : pings) {
            Point point = Point.measurement("ping").addTag("ip", Ipv4.format(p.ipv4()));
            if (p.success()) {
                point.addField("rtt_ms", p.rttMillis());
            }
            point.addField("success", p.success()).addField("outcome", p.outcome().label())
                    .time(p.sentAtEpochNanos(), WritePrecision.NS);
            total += point.toLineProtocol().length();
        }
        return total;
    }
}
