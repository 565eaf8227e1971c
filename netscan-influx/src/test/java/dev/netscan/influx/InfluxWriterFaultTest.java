package dev.netscan.influx;

import dev.netscan.core.SinkCounters;
import static dev.netscan.influx.TestPoints.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.HealthReport;
import dev.netscan.core.PingResult;
import dev.netscan.influx.FaultServer.Reply;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfluxWriterFaultTest {

    @TempDir
    Path dir;

    FaultServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FaultServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private WriterConfig.Builder config() {
        return WriterConfig.v2(server.uri(), "netscan", "pings", "test-token")
                .healthBucket("health")
                .batchSize(500)
                .flushInterval(Duration.ofMillis(100))
                .retryInitialBackoff(Duration.ofMillis(50))
                .retryMaxBackoff(Duration.ofMillis(400))
                .requestTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(5))
                .spoolFsync(false)
                .dataDir(dir);
    }

    private static void offerAll(InfluxWriter w, List<PingResult> pings) {
        for (PingResult p : pings) {
            assertThat(w.offerPing(p)).isTrue();
        }
    }

    private void awaitConfirmed(InfluxWriter w, long n) {
        await(Duration.ofSeconds(30), () -> w.counters().pointsConfirmed() >= n, () -> "confirmed " + n + ": " + w.counters());
    }

    @Test
    void deliversEveryPointInOrderWithV2HeadersAndGzip() {
        List<PingResult> pings = TestPoints.pings(12_000, 50);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            offerAll(w, pings);
            awaitConfirmed(w, pings.size());
            SinkCounters c = w.counters();
            assertThat(c.pointsOffered()).isEqualTo(12_000);
            assertThat(c.pointsDropped()).isZero();
            assertThat(c.batchesConfirmed()).isGreaterThanOrEqualTo(24);
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
        FaultServer.Request r = server.requests().getFirst();
        assertThat(r.uri().getPath()).isEqualTo("/api/v2/write");
        assertThat(r.uri().getQuery()).isEqualTo("org=netscan&bucket=pings&precision=ns");
        assertThat(r.header("Authorization")).isEqualTo("Token test-token");
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
    }

    @Test
    void speaksV1WithBasicAuthOrQueryCredentials() {
        WriterConfig basic = WriterConfig.v1(server.uri(), "netscan").retentionPolicy("autogen").credentials("u1", "p w")
                .precision(Precision.MILLISECONDS).flushInterval(Duration.ofMillis(50)).dataDir(dir.resolve("a")).build();
        try (InfluxWriter w = new InfluxWriter(basic).start()) {
            w.offerPing(PingResult.reply(0x7F000001, 1_000_000_000L, 5_000));
            awaitConfirmed(w, 1);
        }
        WriterConfig query = basic.toBuilder().v1AuthInQuery(true).gzip(false).dataDir(dir.resolve("b")).build();
        try (InfluxWriter w = new InfluxWriter(query).start()) {
            w.offerPing(PingResult.reply(0x7F000001, 2_000_000_000L, 5_000));
            awaitConfirmed(w, 1);
        }
        List<FaultServer.Request> rs = server.requests();
        assertThat(rs.get(0).uri().getPath()).isEqualTo("/write");
        assertThat(rs.get(0).uri().getQuery()).isEqualTo("db=netscan&rp=autogen&precision=ms");
        assertThat(rs.get(0).header("Authorization")).isEqualTo("Basic dTE6cCB3");
        assertThat(rs.get(1).uri().getRawQuery()).isEqualTo("db=netscan&rp=autogen&u=u1&p=p+w&precision=ms");
        assertThat(rs.get(1).header("Authorization")).isNull();
        assertThat(rs.get(1).header("Content-Encoding")).isNull();
        assertThat(server.acceptedLines()).containsExactly(
                "ping,ip=127.0.0.1 rtt_ms=0.005,success=true,outcome=\"reply\" 1000",
                "ping,ip=127.0.0.1 rtt_ms=0.005,success=true,outcome=\"reply\" 2000");
    }

    @Test
    void deviceInfoStringsArriveByteExact() {
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            assertThat(w.offerDeviceInfo(0x0A000001, dev.netscan.core.SnmpInfo.UNKNOWN, 1)).isTrue();
            w.offerDeviceInfo(0x0A000001, new dev.netscan.core.SnmpInfo("core-sw1", "Cisco IOS \"XE\", C:\\boot, a=b",
                    "1.3.6.1.4.1.9.1.1", 123_456, "noc@example.invalid", "rack 4, row 2"), 7_000_000_000L);
            awaitConfirmed(w, 1);
            assertThat(w.counters().pointsOffered()).isEqualTo(1);
        }
        assertThat(server.acceptedLines()).containsExactly("device_info,ip=10.0.0.1 hostname=\"core-sw1\","
                + "snmp_description=\"Cisco IOS \\\"XE\\\", C:\\\\boot, a=b\",sys_object_id=\"1.3.6.1.4.1.9.1.1\","
                + "sys_location=\"rack 4, row 2\",sys_contact=\"noc@example.invalid\",sys_uptime_s=1234i 7000000000");
        LineProtocolParser.Point p = LineProtocolParser.parseLine(server.acceptedLines().getFirst());
        assertThat(p.fields().get("snmp_description")).isEqualTo(LineProtocolParser.Field.s("Cisco IOS \"XE\", C:\\boot, a=b"));
    }

    @Test
    void healthGoesToTheHealthBucket() {
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            w.offerHealth(new HealthReport(5_000_000_000L, Map.of("devices", 3L, "state", "normal")));
            w.offerPing(PingResult.reply(0x7F000001, 1, 5));
            awaitConfirmed(w, 2);
        }
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.uri().getQuery()).contains("bucket=health");
            assertThat(r.body()).isEqualTo("health_metrics devices=3i,state=\"normal\" 5000000000\n");
        });
    }

    @Test
    void outageSpoolsToDiskThenDrainsEverythingInOrder() throws Exception {
        server.stopListening();
        List<PingResult> pings = TestPoints.pings(20_000, 100);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            offerAll(w, pings.subList(0, 10_000));
            await(Duration.ofSeconds(30), () -> w.counters().pointsSpooled() >= 10_000, () -> "spooled: " + w.counters());
            assertThat(w.counters().spoolBytes()).isPositive();
            assertThat(w.counters().pointsConfirmed()).isZero();
            assertThat(w.counters().databaseReachable()).isFalse();
            assertThat(w.counters().asHealthFields()).containsEntry("influxdb_ok", false);
            server.startAgain();
            // New points keep flowing while the spool drains.
            offerAll(w, pings.subList(10_000, 20_000));
            awaitConfirmed(w, 20_000);
            SinkCounters c = w.counters();
            assertThat(c.pointsDrained()).isGreaterThanOrEqualTo(10_000);
            assertThat(c.retries()).isPositive();
            assertThat(c.spoolPendingPoints()).isZero();
            assertThat(c.pointsDropped()).isZero();
            assertThat(c.databaseReachable()).isTrue();
        }
        // Connection refused means the server never saw them: exactly once, in offer order.
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void batchesBeyondTheMemoryBoundGoThroughTheSpoolInOrder() {
        CountDownLatch release = new CountDownLatch(1);
        server.script((n, r) -> {
            if (n == 0) release.await(10, TimeUnit.SECONDS);
            return Reply.ok();
        });
        List<PingResult> pings = TestPoints.pings(6_000, 60);
        try (InfluxWriter w = new InfluxWriter(config().memoryBatchBytes(0).build()).start()) {
            offerAll(w, pings);
            // While the first request is held, later batches cannot stay in memory: they are spooled.
            await(Duration.ofSeconds(10), () -> w.counters().pointsSpooled() >= 5_000, () -> w.counters().toString());
            release.countDown();
            awaitConfirmed(w, pings.size());
            assertThat(w.counters().pointsDrained()).isGreaterThanOrEqualTo(5_000);
            assertThat(w.counters().retries()).isZero();
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void retries500sAndDroppedConnections() {
        server.script((n, r) -> n < 3 ? Reply.status(500, "internal") : n < 6 ? Reply.drop() : Reply.ok());
        List<PingResult> pings = TestPoints.pings(5_000, 20);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            offerAll(w, pings);
            awaitConfirmed(w, pings.size());
            assertThat(w.counters().retries()).isGreaterThanOrEqualTo(6);
            assertThat(w.counters().failures()).isEqualTo(w.counters().retries());
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void survivesTcpResets() throws Exception {
        List<PingResult> pings = TestPoints.pings(3_000, 30);
        Thread resetter = server.resetNextConnections(3);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            offerAll(w, pings);
            awaitConfirmed(w, pings.size());
            assertThat(server.resets.get()).isEqualTo(3);
            assertThat(w.counters().retries()).isGreaterThanOrEqualTo(3);
        }
        resetter.join(10_000);
        // A reset request never reached the HTTP layer: exactly once, in order.
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void honoursRetryAfterSeconds() {
        server.script((n, r) -> n == 0 ? Reply.retryAfter(429, "1") : Reply.ok());
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            w.offerPing(PingResult.reply(0x7F000001, 1, 5));
            awaitConfirmed(w, 1);
        }
        List<FaultServer.Request> rs = server.requests();
        assertThat(rs).hasSize(2);
        // Backoff alone would retry within 50 ms; the server asked for 1 s.
        assertThat(rs.get(1).arrivedNanos() - rs.get(0).arrivedNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(950));
    }

    @Test
    void parsesRetryAfterAsHttpDateAgainstTheInjectedClock() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        InfluxWriter w = new InfluxWriter(config().build(), InstantSource.fixed(now), System::nanoTime);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atZone(ZoneOffset.UTC));
        assertThat(w.retryAfterNanos(date)).isEqualTo(7_000_000_000L);
        assertThat(w.retryAfterNanos("3")).isEqualTo(3_000_000_000L);
        assertThat(w.retryAfterNanos("100000")).isEqualTo(Duration.ofMinutes(5).toNanos());
        assertThat(w.retryAfterNanos("soon")).isEqualTo(-1);
    }

    @Test
    void badBatchIsSetAsideWithTheServerMessageAndTheRestDelivered() throws Exception {
        server.script((n, r) -> n == 1 ? Reply.status(400, "{\"code\":\"invalid\",\"message\":\"unable to parse line 7\"}") : Reply.ok());
        List<PingResult> pings = TestPoints.pings(2_000, 10);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            offerAll(w, pings);
            await(Duration.ofSeconds(30), () -> w.counters().pointsConfirmed() + w.counters().pointsRejected() >= 2_000,
                    () -> w.counters().toString());
            assertThat(w.counters().batchesRejected()).isEqualTo(1);
            assertThat(w.counters().pointsRejected()).isEqualTo(500);
            assertThat(w.counters().pointsConfirmed()).isEqualTo(1_500);
            assertThat(w.counters().retries()).isZero();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve("rejected"))) {
            files = s.toList();
        }
        assertThat(files).hasSize(1);
        List<String> rejected = Files.readAllLines(files.getFirst());
        assertThat(rejected.getFirst()).contains("HTTP 400").contains("unable to parse line 7");
        List<String> expected = TestPoints.lines(pings);
        assertThat(rejected.subList(2, rejected.size())).isEqualTo(expected.subList(500, 1_000));
        List<String> delivered = new java.util.ArrayList<>(server.acceptedLines());
        delivered.addAll(rejected.subList(2, rejected.size()));
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void offerNeverBlocksWhileTheServerIsStalled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.script((n, r) -> {
            release.await();
            return Reply.ok();
        });
        List<PingResult> pings = TestPoints.pings(50_000, 200);
        try (InfluxWriter w = new InfluxWriter(config().build()).start()) {
            w.offerPing(pings.getFirst());
            await(Duration.ofSeconds(10), () -> !server.requests().isEmpty(), () -> "first request");
            long t0 = System.nanoTime();
            for (PingResult p : pings.subList(1, pings.size())) {
                assertThat(w.offerPing(p)).isTrue();
            }
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            // The server has not answered anything yet: every offer returned regardless.
            assertThat(release.getCount()).isEqualTo(1);
            assertThat(w.counters().pointsConfirmed()).isZero();
            System.out.println("50k offers while the server was stalled took " + tookMillis + " ms");
            release.countDown();
            awaitConfirmed(w, pings.size());
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void restartDrainsWhatAnEarlierRunSpooled() throws Exception {
        server.stopListening();
        List<PingResult> pings = TestPoints.pings(3_000, 30);
        InfluxWriter first = new InfluxWriter(config().closeTimeout(Duration.ofMillis(300)).build()).start();
        offerAll(first, pings);
        first.close();
        assertThat(first.counters().spoolPendingPoints()).isEqualTo(3_000);
        assertThat(first.offerPing(pings.getFirst())).isFalse();
        server.startAgain();
        try (InfluxWriter second = new InfluxWriter(config().build()).start()) {
            assertThat(second.counters().spoolPendingPoints()).isEqualTo(3_000);
            awaitConfirmed(second, 3_000);
            assertThat(second.counters().pointsDrained()).isEqualTo(3_000);
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void spooledBatchKeepsThePrecisionItWasEncodedWith() throws Exception {
        server.stopListening();
        InfluxWriter first = new InfluxWriter(config().precision(Precision.MILLISECONDS).closeTimeout(Duration.ofMillis(200)).build()).start();
        first.offerPing(PingResult.reply(0x7F000001, 5_000_000_000L, 1_000));
        first.close();
        server.startAgain();
        try (InfluxWriter second = new InfluxWriter(config().precision(Precision.SECONDS).build()).start()) {
            awaitConfirmed(second, 1);
            assertThat(second.counters().asHealthFields()).containsEntry("writer_points_confirmed", 1L)
                    .containsEntry("writer_points_drained", 1L);
        }
        assertThat(server.requests().getLast().uri().getQuery()).endsWith("precision=ms");
        assertThat(server.acceptedLines()).containsExactly("ping,ip=127.0.0.1 rtt_ms=0.001,success=true,outcome=\"reply\" 5000");
    }

    @Test
    void closeIsBoundedAndLeavesTheRestInTheSpool() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        server.script((n, r) -> {
            never.await(20, TimeUnit.SECONDS);
            return Reply.status(503, "stalled");
        });
        List<PingResult> pings = TestPoints.pings(4_000, 40);
        InfluxWriter w = new InfluxWriter(config().closeTimeout(Duration.ofMillis(500)).build()).start();
        offerAll(w, pings);
        await(Duration.ofSeconds(10), () -> !server.requests().isEmpty(), () -> "first request");
        long t0 = System.nanoTime();
        w.close();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMillis).as("close took %d ms", tookMillis).isLessThan(5_000);
        assertThat(w.counters().spoolPendingPoints()).isEqualTo(4_000);
        never.countDown();
        server.script((n, r) -> Reply.ok());
        try (InfluxWriter again = new InfluxWriter(config().build()).start()) {
            awaitConfirmed(again, 4_000);
        }
        assertThat(server.acceptedLines()).isEqualTo(TestPoints.lines(pings));
    }

    @Test
    void spoolCapDropsOldestWholeSegmentsAndCountsThem() throws Exception {
        server.stopListening();
        List<PingResult> pings = TestPoints.pings(30_000, 100);
        WriterConfig cfg = config().gzip(false).spoolSegmentBytes(64 * 1024).spoolMaxBytes(256 * 1024).build();
        SinkCounters end;
        try (InfluxWriter w = new InfluxWriter(cfg).start()) {
            offerAll(w, pings);
            await(Duration.ofSeconds(30), () -> w.counters().pointsSpooled() >= 30_000, () -> w.counters().toString());
            SinkCounters c = w.counters();
            assertThat(c.spoolCapReached()).isPositive();
            assertThat(c.pointsDropped()).isPositive();
            assertThat(c.spoolBytes()).isLessThanOrEqualTo(256 * 1024 + 64 * 1024);
            server.startAgain();
            // Not c.pointsDropped(): a batch in flight when the cap deleted its segment is decided by
            // its send (delivered, or dropped when it fails), which may end after startAgain.
            await(Duration.ofSeconds(30), () -> {
                SinkCounters n = w.counters();
                return n.pointsConfirmed() + n.pointsDropped() == 30_000;
            }, () -> w.counters().toString());
            end = w.counters();
        }
        assertThat(end.droppedSpoolCap()).isEqualTo(end.pointsDropped());
        List<String> expected = TestPoints.lines(pings);
        List<String> got = server.acceptedLines();
        assertThat(got).hasSize((int) end.pointsConfirmed());
        // What arrived is the newest suffix, in order, each point once; before it at most the one
        // batch that was in flight when the cap deleted its segment (older than the dropped ones).
        int suffix = 0;
        while (suffix < got.size() && got.get(got.size() - 1 - suffix)
                .equals(expected.get(expected.size() - 1 - suffix))) {
            suffix++;
        }
        List<String> head = got.subList(0, got.size() - suffix);
        assertThat(head.size()).as("points before the newest suffix").isLessThanOrEqualTo(500);
        if (!head.isEmpty()) {
            int from = expected.indexOf(head.getFirst());
            assertThat(from).isNotNegative();
            assertThat(head).isEqualTo(expected.subList(from, from + head.size()));
            assertThat(from + head.size()).isLessThan(expected.size() - suffix);
        }
    }

    @Test
    void runtimeBatchSizeIsBounded() {
        InfluxWriter w = new InfluxWriter(config().build());
        w.setBatchSize(500);
        w.setBatchSize(5_000);
        assertThat(w.batchSize()).isEqualTo(5_000);
        assertThatThrownBy(() -> w.setBatchSize(499)).hasMessageContaining("500..5000");
        assertThatThrownBy(() -> w.setBatchSize(5_001)).hasMessageContaining("500..5000");
    }

    @Test
    void configValidationReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> WriterConfig.v2(URI.create("ftp://x"), "", null, " ").batchSize(0)
                .flushInterval(Duration.ZERO).spoolMaxBytes(10).build())
                .isInstanceOfSatisfying(dev.netscan.core.InvalidConfigException.class, e -> assertThat(e.keys())
                        .containsExactly("url", "org", "bucket", "token", "batchSize", "flushInterval", "dataDir",
                                "spoolMaxBytes"));
        assertThat(config().build().toString()).doesNotContain("test-token");
    }
}
