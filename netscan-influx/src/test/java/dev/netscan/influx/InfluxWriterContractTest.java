package dev.netscan.influx;

import dev.netscan.core.Ipv4;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link MetricsSinkContract} for {@link InfluxWriter}: against a real VictoriaMetrics
 * (NETSCAN_TEST_VM_URL or one started here), and against the fault server, which keeps every
 * line it answered 2xx for.
 */
class InfluxWriterContractTest {

    static WriterConfig.Builder tuned(WriterConfig.Builder b, Path dataDir, int queueCapacity) {
        return b.dataDir(dataDir).queueCapacity(queueCapacity).queueHighWater(queueCapacity)
                .batchSize(1_000).flushInterval(Duration.ofMillis(50)).spoolFsync(false)
                .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(200));
    }

    @Nested
    class AgainstVictoriaMetrics extends MetricsSinkContract {
        @TempDir
        static Path vmDir;
        static VictoriaMetrics vm;

        @BeforeAll
        static void database() throws Exception {
            vm = VictoriaMetrics.obtain(vmDir);
        }

        @AfterAll
        static void stop() {
            if (vm != null) vm.close();
        }

        @Override
        protected MetricsSink create(int queueCapacity) {
            return new InfluxWriter(tuned(WriterConfig.v2(vm.url, "netscan", "netscan", "t"), dir.resolve("w"),
                    queueCapacity).build());
        }

        @Override
        protected void start(MetricsSink sink) {
            ((InfluxWriter) sink).start();
        }

        @Override
        protected long delivered(List<PingResult> pings) throws Exception {
            String net = Ipv4.format(pings.getFirst().ipv4() & 0xFFFF0000);
            String regex = net.substring(0, net.length() - 4).replace(".", "\\\\.") + "\\\\..*";
            vm.forceFlush();
            // The database outlives test runs: count only this run's timestamps.
            long from = pings.getFirst().sentAtEpochNanos() / 1_000_000L;
            long to = pings.getLast().sentAtEpochNanos() / 1_000_000L;
            long n = 0;
            for (VictoriaMetrics.Series s : vm.export("ping_success{ip=~\"" + regex + "\"}")) {
                n += s.timestampsMillis().stream().filter(t -> t >= from && t <= to).count();
            }
            return n;
        }
    }

    @Nested
    class AgainstFaultServer extends MetricsSinkContract {
        FaultServer server;

        @BeforeEach
        void serve() throws Exception {
            server = new FaultServer();
        }

        @AfterEach
        void stopServing() {
            server.close();
        }

        @Override
        protected MetricsSink create(int queueCapacity) {
            return new InfluxWriter(tuned(WriterConfig.v2(server.uri(), "netscan", "netscan", "t"), dir.resolve("w"),
                    queueCapacity).build());
        }

        @Override
        protected void start(MetricsSink sink) {
            ((InfluxWriter) sink).start();
        }

        @Override
        protected long delivered(List<PingResult> pings) {
            return LocalSinkContractTest.count(pings, server.acceptedLines().stream());
        }
    }
}
