package dev.netscan.influx;

import static dev.netscan.influx.TestPoints.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.influx.FaultServer.Reply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the writer's JVM (SIGKILL) while it is draining its spool into the database, then drains
 * the same data directory from a new writer: every point arrives, duplicates only as identical
 * lines (a batch the server took but whose answer the dead process never saw).
 */
class KillMidFlushTest {

    @TempDir
    Path dir;

    static WriterConfig config(URI url, Path dataDir) {
        return WriterConfig.v2(url, "netscan", "pings", "t").batchSize(500).flushInterval(Duration.ofMillis(100))
                .retryInitialBackoff(Duration.ofMillis(20)).retryMaxBackoff(Duration.ofMillis(100))
                .spoolFsync(false).spoolSegmentBytes(64 * 1024).dataDir(dataDir).build();
    }

    @Test
    void killedWhileDrainingLosesNothingAndDuplicatesOnlyIdenticalPoints() throws Exception {
        int count = 20_000;
        try (FaultServer server = new FaultServer()) {
            server.stopListening();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SpoolingChild.class.getName(), server.uri().toString(), dir.toString(), Integer.toString(count), "100")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertThat(line.get(60, TimeUnit.SECONDS)).isEqualTo("SPOOLED " + count);

                // The database comes back, slowly; kill the child while its 6th request is being answered.
                CountDownLatch sixth = new CountDownLatch(1);
                CountDownLatch killed = new CountDownLatch(1);
                server.script((n, r) -> {
                    if (n == 5) {
                        sixth.countDown();
                        killed.await(10, TimeUnit.SECONDS);
                    }
                    return Reply.ok();
                });
                server.startAgain();
                assertThat(sixth.await(30, TimeUnit.SECONDS)).as("child reached its 6th request").isTrue();
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                killed.countDown();
            } finally {
                child.destroyForcibly();
            }
            await(Duration.ofSeconds(10), () -> server.requests().size() >= 6, () -> "requests");
            int beforeRestart = server.acceptedCount();
            assertThat(beforeRestart).isBetween(500, count - 1);

            server.script((n, r) -> Reply.ok());
            try (InfluxWriter again = new InfluxWriter(config(server.uri(), dir)).start()) {
                assertThat(again.counters().spoolPendingPoints()).isPositive();
                await(Duration.ofSeconds(30), () -> again.counters().spoolPendingPoints() == 0
                        && again.counters().pointsConfirmed() > 0, () -> again.counters().toString());
            }
            List<String> expected = TestPoints.lines(TestPoints.pings(count, 100));
            List<String> got = server.acceptedLines();
            TestPoints.assertAllDeliveredAllowingIdenticalDuplicates(expected, got);
            TestPoints.assertOrderPerDevice(new ArrayList<>(new LinkedHashSet<>(got)));
            System.out.println("kill test: " + beforeRestart + " lines before the kill, " + got.size()
                    + " in total for " + count + " points (" + (got.size() - count) + " identical duplicates)");
        }
    }
}
