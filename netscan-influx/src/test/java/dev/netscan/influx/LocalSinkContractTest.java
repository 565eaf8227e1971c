package dev.netscan.influx;

import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;

/** The {@link MetricsSinkContract} for the local sinks: a directory of files, a stream. */
class LocalSinkContractTest {

    static long count(List<PingResult> pings, Stream<String> lines) {
        Set<String> expected = new HashSet<>(TestPoints.lines(pings));
        return lines.filter(expected::contains).count();
    }

    @Nested
    class FileSink extends MetricsSinkContract {
        @Override
        protected MetricsSink create(int queueCapacity) {
            return new LineProtocolFileSink(dir.resolve("files"), "netscan", 1 << 20, ZoneId.of("UTC"),
                    InstantSource.system(), Precision.NANOSECONDS, queueCapacity);
        }

        @Override
        protected void start(MetricsSink sink) throws Exception {
            ((LineProtocolFileSink) sink).start();
        }

        @Override
        protected long delivered(List<PingResult> pings) throws Exception {
            long n = 0;
            try (Stream<Path> files = Files.list(dir.resolve("files"))) {
                for (Path p : files.toList()) {
                    n += count(pings, Files.readAllLines(p).stream());
                }
            }
            return n;
        }
    }

    @Nested
    class StreamSink extends MetricsSinkContract {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        protected MetricsSink create(int queueCapacity) {
            return new LineProtocolStreamSink(out, true, Precision.NANOSECONDS, queueCapacity);
        }

        @Override
        protected void start(MetricsSink sink) {
            ((LineProtocolStreamSink) sink).start();
        }

        @Override
        protected long delivered(List<PingResult> pings) {
            return count(pings, out.toString(java.nio.charset.StandardCharsets.UTF_8).lines());
        }
    }
}
