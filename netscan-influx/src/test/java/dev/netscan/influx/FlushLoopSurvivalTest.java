package dev.netscan.influx;

import static dev.netscan.influx.MetricsSinkContract.assertBalanced;
import static dev.netscan.influx.WriterAccountingTest.watch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.PingResult;
import dev.netscan.core.SinkCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 2 for the writer and the local sinks: the flush loop catches, counts, backs off
 * and continues on any failure of a send or a write (a throwing transport, an I/O error, an
 * {@link OutOfMemoryError} inside a flush), and when the thread ends anyway a watchdog starts a
 * new one and counts it. Every point stays accounted for throughout.
 */
class FlushLoopSurvivalTest {

    @TempDir
    Path dir;

    /** HTTP, except that the first {@code failures} sends throw what {@code failure} makes. */
    private static InfluxEndpoint.Transport failingFirst(int failures, Supplier<? extends Throwable> failure) {
        InfluxEndpoint.Transport http = InfluxEndpoint.Transport.http(Duration.ofSeconds(2));
        AtomicInteger calls = new AtomicInteger();
        return new InfluxEndpoint.Transport() {
            @Override
            public CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
                if (calls.getAndIncrement() < failures) {
                    Throwable t = failure.get();
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) t;
                }
                return http.send(request);
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    private SinkCounters deliverThrough(FaultServer server, InfluxEndpoint.Transport transport, List<PingResult> pings) {
        WriterConfig cfg = WriterConfig.v2(server.uri(), "netscan", "pings", "t").batchSize(500)
                .flushInterval(Duration.ofMillis(20)).spoolFsync(false).retryInitialBackoff(Duration.ofMillis(20))
                .retryMaxBackoff(Duration.ofMillis(100)).dataDir(dir.resolve("data")).build();
        try (InfluxWriter w = new InfluxWriter(cfg, InstantSource.system(), System::nanoTime, transport).start()) {
            for (PingResult p : pings) {
                w.offerPing(p);
            }
            return watch(w::counters, c -> c.pointsConfirmed() == pings.size(), "all confirmed");
        }
    }

    @Test
    void outOfMemoryErrorInsideAFlushIsSurvived() throws Exception {
        List<PingResult> pings = TestPoints.pings(3_000, 30);
        try (FaultServer server = new FaultServer()) {
            SinkCounters c = deliverThrough(server, failingFirst(3, () -> new OutOfMemoryError("injected")), pings);
            assertThat(c.loopFailures()).isEqualTo(3);
            assertThat(c.loopRestarts()).isZero();
            assertThat(new HashSet<>(server.acceptedLines())).isEqualTo(new HashSet<>(TestPoints.lines(pings)));
        }
    }

    @Test
    void throwingTransportIsRetriedLikeANetworkError() throws Exception {
        List<PingResult> pings = TestPoints.pings(3_000, 30);
        try (FaultServer server = new FaultServer()) {
            SinkCounters c = deliverThrough(server, failingFirst(3, () -> new IllegalStateException("injected")), pings);
            assertThat(c.retries()).isGreaterThanOrEqualTo(3);
            assertThat(c.loopFailures()).isZero();
            assertThat(new HashSet<>(server.acceptedLines())).isEqualTo(new HashSet<>(TestPoints.lines(pings)));
        }
    }

    /** A stream sink whose first {@code failures} writes throw what {@code failure} makes. */
    private static class FailingSink extends AsyncLineSink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();
        final int failures;
        final Supplier<? extends Throwable> failure;

        FailingSink(int failures, Supplier<? extends Throwable> failure) {
            super(Precision.NANOSECONDS, 65_536, "netscan-test-failing");
            this.failures = failures;
            this.failure = failure;
        }

        @Override
        void write(byte[] buf, int len, long lines) throws IOException {
            if (writes.getAndIncrement() < failures) {
                Throwable t = failure.get();
                if (t instanceof IOException e) {
                    throw e;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) t;
            }
            out.write(buf, 0, len);
        }

        @Override
        void flushOutput() {}

        @Override
        void closeOutput() {}
    }

    private static SinkCounters offerInRounds(AsyncLineSink sink, List<PingResult> pings) {
        // Rounds with a flush between them: the first writes fail, the later ones must still happen.
        for (int i = 0; i < pings.size(); i++) {
            sink.offerPing(pings.get(i));
            if (i % 500 == 499) {
                sink.flush();
                assertBalanced(sink.counters());
            }
        }
        sink.close();
        SinkCounters c = sink.counters();
        assertBalanced(c);
        return c;
    }

    @Test
    void ioErrorsLoseOnlyTheirOwnLinesCounted() {
        FailingSink sink = new FailingSink(2, () -> new IOException("injected: No space left on device"));
        sink.startThread();
        SinkCounters c = offerInRounds(sink, TestPoints.pings(3_000, 30));
        assertThat(c.droppedWriteError()).isPositive();
        assertThat(c.pointsConfirmed() + c.droppedWriteError()).isEqualTo(3_000);
        assertThat(sink.out.toString().lines().count()).isEqualTo(c.pointsConfirmed());
        assertThat(sink.writeErrors()).isEqualTo(2);
    }

    @Test
    void outOfMemoryErrorInALocalWriteIsSurvived() {
        FailingSink sink = new FailingSink(2, () -> new OutOfMemoryError("injected"));
        sink.startThread();
        SinkCounters c = offerInRounds(sink, TestPoints.pings(3_000, 30));
        assertThat(c.loopFailures()).isEqualTo(2);
        assertThat(c.pointsConfirmed() + c.droppedWriteError()).isEqualTo(3_000);
        assertThat(c.pointsConfirmed()).isPositive();
    }

    @Test
    void aFlushThreadThatEndsIsRestartedByTheWatchdogAndCounted() {
        FailingSink sink = new FailingSink(1, () -> new StackOverflowError("injected")) {
            @Override
            void loopFailed(Throwable failure) {
                throw (Error) failure; // the handler itself fails: the thread ends
            }
        };
        sink.startThread();
        SinkCounters c = offerInRounds(sink, TestPoints.pings(2_000, 20));
        assertThat(c.loopRestarts()).isEqualTo(1);
        assertThat(c.loopFailures()).isEqualTo(1);
        assertThat(c.pointsConfirmed()).isPositive();
        assertThat(c.pointsConfirmed() + c.droppedWriteError()).isEqualTo(2_000);
    }
}
