package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.PingResult;
import dev.netscan.core.SnmpInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSinksTest {

    @TempDir
    Path dir;

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void fileSinkRotatesBySizeAndByDayAndLosesNothing() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T23:59:00Z"));
        InstantSource clock = now::get;
        List<PingResult> pings = TestPoints.pings(3_000, 10);
        try (LineProtocolFileSink sink = new LineProtocolFileSink(dir, "netscan", 8_192, ZoneId.of("UTC"), clock,
                Precision.NANOSECONDS, 4_096).start()) {
            for (int i = 0; i < 1_500; i++) {
                assertThat(sink.offerPing(pings.get(i))).isTrue();
                if (i % 100 == 99) sink.flush();
            }
            now.set(Instant.parse("2026-03-02T00:00:01Z"));
            for (int i = 1_500; i < 3_000; i++) {
                assertThat(sink.offerPing(pings.get(i))).isTrue();
                if (i % 100 == 99) sink.flush();
            }
            sink.offerDeviceInfo(0x0A000001, new SnmpInfo("sw\n1", null, null, -1, null, null), TestPoints.T0);
        }
        List<Path> files = files();
        assertThat(files).allMatch(p -> p.getFileName().toString().matches("netscan-2026-03-0[12]-\\d+\\.lp"));
        assertThat(files).anyMatch(p -> p.getFileName().toString().startsWith("netscan-2026-03-01-"));
        assertThat(files).anyMatch(p -> p.getFileName().toString().startsWith("netscan-2026-03-02-"));
        assertThat(files.size()).isGreaterThan(4);
        List<String> all = new ArrayList<>();
        // Day 1 files first, each in index order.
        List<Path> ordered = new ArrayList<>(files);
        ordered.sort((a, b) -> {
            String[] x = a.getFileName().toString().split("[-.]");
            String[] y = b.getFileName().toString().split("[-.]");
            int c = (x[1] + x[2] + x[3]).compareTo(y[1] + y[2] + y[3]);
            return c != 0 ? c : Integer.compare(Integer.parseInt(x[4]), Integer.parseInt(y[4]));
        });
        for (Path p : ordered) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(8_192 + 256 * 1024);
            all.addAll(Files.readAllLines(p));
        }
        List<String> expected = new ArrayList<>(TestPoints.lines(pings));
        expected.add("device_info,ip=10.0.0.1 hostname=\"sw\ufffd1\" " + TestPoints.T0);
        assertThat(all).isEqualTo(expected);
    }

    @Test
    void streamSinkWritesLinesAndParsesBack() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<PingResult> pings = TestPoints.pings(500, 5);
        LineProtocolStreamSink sink = new LineProtocolStreamSink(bytes, true, Precision.NANOSECONDS, 1_024).start();
        for (PingResult p : pings) assertThat(sink.offerPing(p)).isTrue();
        sink.close();
        assertThat(sink.linesWritten()).isEqualTo(500);
        assertThat(sink.offerPing(pings.getFirst())).isFalse();
        assertThat(sink.dropped()).isEqualTo(1);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(LineProtocolParser.parseAll(out)).hasSize(500);
        assertThat(out.lines().toList()).isEqualTo(TestPoints.lines(pings));
    }
}
