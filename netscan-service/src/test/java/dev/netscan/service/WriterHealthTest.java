package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.NetscanConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4 as far as the writer goes: {@code /health} says {@code degraded}, with the
 * reason, while the database is unreachable or the data directory cannot hold the spool, and
 * carries the writer's accounting (offered, confirmed, dropped by reason, unaccounted).
 */
class WriterHealthTest {

    @TempDir
    Path dir;

    private static int refusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again: connections are refused
        }
    }

    private NetscanConfig config(int influxPort) {
        return config(influxPort, dir.resolve("data"));
    }

    private NetscanConfig config(int influxPort, Path dataDir) {
        return NetscanConfig.builder().network("127.0.0.0/30").pingInterval(Duration.ofSeconds(1)).snmpEnabled(false)
                .healthCheckPort(0).dataDir(dataDir).flushInterval(Duration.ofMillis(200))
                .healthReportInterval(Duration.ofSeconds(1))
                .influxUrl("http://127.0.0.1:" + influxPort).influxApiVersion(2).influxToken("t").influxOrg("o")
                .influxBucket("b").build();
    }

    private static Map<String, Object> await(NetscanService s, Predicate<Map<String, Object>> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, Object> doc = s.healthDocument();
            if (condition.test(doc)) {
                return doc;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; /health: " + doc);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    private static boolean reason(Map<String, Object> doc, String text) {
        return ((List<?>) doc.get("degraded_reasons")).stream().anyMatch(r -> r.toString().contains(text));
    }

    @Test
    void degradedWhileTheDatabaseIsUnreachable() throws Exception {
        try (NetscanService s = EmbeddingTest.start(NetscanService.builder(config(refusedPort())).build())) {
            Map<String, Object> doc = await(s, d -> reason(d, "database unreachable since"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(doc.get("influxdb_ok")).isEqualTo(false);
            assertThat(doc).containsKeys("writer_points_offered", "writer_dropped_disk_full", "writer_dropped_spool_cap",
                    "writer_spool_pending_points", "writer_points_queued", "writer_loop_restarts");
            assertThat(doc.get("writer_points_unaccounted")).isEqualTo(0L);
        }
    }

    @Test
    void degradedWhileTheDataDirectoryCannotHoldTheSpool() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data").resolve("spool"), "a file where the spool directory goes");
        try (NetscanService s = EmbeddingTest.start(NetscanService.builder(config(refusedPort())).build())) {
            Map<String, Object> doc = await(s, d -> reason(d, "data directory full or unwritable")
                    && active(d, FaultWatch.CAUSE_DISK_FULL, "CRITICAL"));
            assertThat(doc.get("status")).isEqualTo("degraded");
            assertThat(doc.get("writer_disk_full")).isEqualTo(true);
            assertThat(s.healthDocument().get("alert_level")).isEqualTo("CRITICAL");
            // the file in the way goes: the writer spools again by itself and the alert clears
            Files.delete(dir.resolve("data").resolve("spool"));
            Map<String, Object> after = await(s, d -> !active(d, FaultWatch.CAUSE_DISK_FULL, "CRITICAL"));
            assertThat(after.get("writer_disk_full")).isEqualTo(false);
            assertThat(s.alerts()).anyMatch(a -> a.cause().equals(FaultWatch.CAUSE_DISK_FULL) && a.message().contains("spooling resumed"));
        }
    }

    private static boolean active(Map<String, Object> doc, String cause, String tier) {
        return ((List<?>) doc.get("active_alerts")).stream()
                .anyMatch(a -> a instanceof Map<?, ?> m && cause.equals(m.get("cause")) && tier.equals(m.get("tier")));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        }
    }

    @Test
    void aFullTmpfsRaisesCriticalDiskFullAndItClearsWhenSpaceReturns() throws Exception {
        Path mnt = dir.resolve("tmpfs");
        Files.createDirectories(mnt);
        try {
            run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString());
        } catch (IOException e) {
            String why = "a 1 MiB tmpfs cannot be mounted (needs root): " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but this test cannot run: " + why, e);
            }
            Assumptions.abort(why);
        }
        try {
            Path data = mnt.resolve("data");
            Files.createDirectories(data);
            Path ballast = mnt.resolve("ballast");
            try (OutputStream out = Files.newOutputStream(ballast)) {
                byte[] chunk = new byte[4096];
                while (true) {
                    out.write(chunk); // until the device is full
                }
            } catch (IOException full) {
                // No space left on device: as intended
            }
            try (NetscanService s = EmbeddingTest.start(NetscanService.builder(config(refusedPort(), data)).build())) {
                Map<String, Object> doc = await(s, d -> active(d, FaultWatch.CAUSE_DISK_FULL, "CRITICAL"));
                assertThat(doc.get("status")).isEqualTo("degraded");
                assertThat(reason(doc, "CRITICAL alert disk_full")).isTrue();
                Files.delete(ballast);
                Map<String, Object> after = await(s, d -> !active(d, FaultWatch.CAUSE_DISK_FULL, "CRITICAL")
                        && (Long) d.get("writer_points_spooled") > 0);
                assertThat(after.get("writer_disk_full")).isEqualTo(false);
                assertThat(after.get("writer_points_unaccounted")).isEqualTo(0L);
            }
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }
}
