package dev.netscan.bench.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApi;
import com.influxdb.client.WriteOptions;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.influx.InfluxWriter;
import dev.netscan.influx.WriterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batched delivery over HTTP on loopback, per point, end to end: ping results handed to the
 * writer until the server has read every line. netscan's {@code InfluxWriter} against
 * influxdb-client-java's batching {@code WriteApi} (batch 5,000, no gzip on either side), both
 * into the same local server that counts lines and discards them. One operation = one point
 * (5,000 per invocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WriteApiBenchmark {
    static final int BATCH = 5_000;

    DiscardServer server;
    PingResult[] pings;
    InfluxWriter writer;
    Path dataDir;
    InfluxDBClient client;
    WriteApi writeApi;
    long expected;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = new DiscardServer();
        pings = BenchPoints.pings(BATCH, 20_000);
        dataDir = Files.createTempDirectory("netscan-bench-writer");
        writer = new InfluxWriter(WriterConfig.v2(URI.create(server.url()), "bench", "bench", "t")
                .gzip(false).batchSize(BATCH).flushInterval(Duration.ofMillis(50)).dataDir(dataDir).build()).start();
        client = InfluxDBClientFactory.create(server.url(), "t".toCharArray(), "bench", "bench");
        writeApi = client.makeWriteApi(WriteOptions.builder().batchSize(BATCH).flushInterval(50)
                .bufferLimit(1_000_000).build());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        writer.close();
        writeApi.close();
        client.close();
        server.close();
        try (var s = Files.walk(dataDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void netscanInfluxWriter() {
        expected += BATCH;
        for (PingResult p : pings) {
            while (!writer.offerPing(p)) {
                Thread.onSpinWait(); // not reached with this queue size; keeps the count exact
            }
        }
        server.awaitLines(expected);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void influxClientWriteApi() {
        expected += BATCH;
        List<Point> points = new ArrayList<>(BATCH);
        for (PingResult p : pings) {
            Point point = Point.measurement("ping").addTag("ip", Ipv4.format(p.ipv4()));
            if (p.success()) {
                point.addField("rtt_ms", p.rttMillis());
            }
            points.add(point.addField("success", p.success()).addField("outcome", p.outcome().label())
                    .time(p.sentAtEpochNanos(), WritePrecision.NS));
        }
        writeApi.writePoints(points);
        server.awaitLines(expected);
    }
}
