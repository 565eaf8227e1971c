package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Device;
import dev.netscan.core.HealthReport;
import dev.netscan.core.Ipv4;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.discovery.IcmpUnavailableException;
import dev.netscan.state.RegistryListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Embeds the service exactly as the README shows, twice in one JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddingTest {

    /** The README's "your own sink": keeps ping results in memory. */
    static final class MySink implements MetricsSink {
        final ConcurrentLinkedQueue<PingResult> pings = new ConcurrentLinkedQueue<>();
        @Override public boolean offerPing(PingResult r) { pings.add(r); return true; }
        @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { return true; }
        @Override public boolean offerPingStats(PingStats s) { return true; }
        @Override public boolean offerHealth(HealthReport h) { return true; }
    }

    static NetscanService start(NetscanService s) throws Exception {
        return TestServices.start(s);
    }

    @Test
    void twoServicesRunSideBySideInOneJvmAsTheReadmeShows(@TempDir Path dir) throws Exception {
        MySink mySink = new MySink();
        Set<String> found = ConcurrentHashMap.newKeySet();

        // --- as in README.md, "Embedding"
        NetscanConfig config = NetscanConfig.builder()
                .network("127.0.0.0/29")
                .pingInterval(Duration.ofSeconds(1))
                .snmpEnabled(false)
                .healthCheckPort(0)
                .dataDir(dir.resolve("a"))
                .build();
        try (NetscanService netscan = NetscanService.builder(config).sink(mySink).build()) {
            netscan.addDeviceListener(new RegistryListener() {
                @Override
                public void onAdded(int ipv4) {
                    found.add(Ipv4.format(ipv4));
                }
            });
            start(netscan);
            netscan.sweepNow().ifPresent(s -> assertThat(s.alive()).isEqualTo(6));
            List<Device> devices = netscan.devices();
            // --- end of the README's example

            assertThat(devices).extracting(Device::address).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2",
                    "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");
            assertThat(found).hasSize(6);

            NetscanConfig other = NetscanConfig.builder().network("127.0.1.0/30").pingInterval(Duration.ofSeconds(1))
                    .snmpEnabled(false).healthCheckPort(0).dataDir(dir.resolve("b")).build();
            MySink otherSink = new MySink();
            try (NetscanService second = start(NetscanService.builder(other).sink(otherSink).build())) {
                second.sweepNow();
                assertThat(second.devices()).extracting(Device::address).containsExactlyInAnyOrder("127.0.1.1", "127.0.1.2");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((otherSink.pings.isEmpty() || mySink.pings.size() < 6) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(otherSink.pings).extracting(p -> Ipv4.format(p.ipv4())).allMatch(a -> a.startsWith("127.0.1."));
                assertThat(mySink.pings).extracting(p -> Ipv4.format(p.ipv4())).allMatch(a -> a.startsWith("127.0.0."));
                assertThat(mySink.pings).isNotEmpty();
                assertThat(second.healthFields()).containsEntry("device_count", 2L);
            }
            assertThat(netscan.running()).isTrue();
            assertThat(netscan.healthFields()).containsEntry("device_count", 6L);
        }
        assertThat(dir.resolve("a").resolve("registry.snapshot")).exists();
        assertThat(dir.resolve("b").resolve("registry.snapshot")).exists();
    }

    @Test
    void criticalTemperaturePausesDiscoveryWhileMonitoringContinues(@TempDir Path dir) throws Exception {
        dev.netscan.core.governor.FakeHostProbe host = new dev.netscan.core.governor.FakeHostProbe().temperatureCelsius(50);
        MySink sink = new MySink();
        ConcurrentLinkedQueue<dev.netscan.core.governor.Alert> alerts = new ConcurrentLinkedQueue<>();
        NetscanConfig config = NetscanConfig.builder().network("127.0.3.0/29").pingInterval(Duration.ofSeconds(1))
                .snmpEnabled(false).healthCheckPort(0).dataDir(dir).healthSampleInterval(Duration.ofMillis(100))
                .build();
        try (NetscanService netscan = NetscanService.builder(config).sink(sink).hostProbe(host).build()) {
            netscan.addAlertListener(alerts::add);
            start(netscan);
            assertThat(netscan.sweepNow()).isPresent();
            assertThat(netscan.deviceCount()).isEqualTo(6);

            host.temperatureCelsius(90);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // the alert listeners hear of it just after the level changes: await both
            while ((!"CRITICAL".equals(netscan.healthFields().get("alert_level")) || alerts.isEmpty())
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(netscan.healthFields()).containsEntry("alert_level", "CRITICAL").containsEntry("discovery_paused", true);
            assertThat(netscan.sweepNow()).as("discovery is paused").isEmpty();
            assertThat(alerts).anySatisfy(a -> assertThat(a.tier().name()).isEqualTo("CRITICAL"));
            int before = sink.pings.size();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sink.pings.size() < before + 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sink.pings.size()).as("monitoring continues while paused").isGreaterThanOrEqualTo(before + 6);

            host.temperatureCelsius(50);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Boolean.TRUE.equals(netscan.healthFields().get("discovery_paused")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(netscan.sweepNow()).as("discovery resumes after cooling").isPresent();
        }
    }
}
