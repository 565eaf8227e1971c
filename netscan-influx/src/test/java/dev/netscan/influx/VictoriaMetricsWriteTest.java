package dev.netscan.influx;

import static dev.netscan.influx.TestPoints.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes through the real writer into a real VictoriaMetrics (v2 and v1 endpoints) and reads every
 * value back through /api/v1/export. VictoriaMetrics names series {@code <measurement>_<field>},
 * stores booleans as 1/0, keeps millisecond timestamps and 12 significant digits, and keeps no
 * value for string fields (this version writes them as 0), so numeric and boolean fields are
 * compared here value by value and string fields are checked byte-exactly by the fault-server
 * tests.
 */
class VictoriaMetricsWriteTest {

    @TempDir
    static Path tmp;

    static VictoriaMetrics vm;

    @BeforeAll
    static void database() throws Exception {
        vm = VictoriaMetrics.obtain(tmp);
    }

    @AfterAll
    static void stop() {
        if (vm != null) vm.close();
    }

    /** First of this run's /16s: random, so runs against a shared VM do not see each other's points. */
    private static final int FIRST_B = new SplittableRandom(System.nanoTime()).nextInt(1, 255);
    private static final java.util.concurrent.atomic.AtomicInteger CALLS = new java.util.concurrent.atomic.AtomicInteger();

    /** A /16 of 10.0.0.0/8 that no other call of this run uses (point tags only: nothing is sent there). */
    private static int base() {
        int b = 1 + (FIRST_B - 1 + CALLS.getAndIncrement()) % 254;
        return (10 << 24) | (b << 16);
    }

    private static String ipRegex(int base) {
        return Ipv4.format(base).replace(".0.0", "").replace(".", "\\\\.") + "\\\\..*";
    }

    private void writeAndCompare(WriterConfig.Builder cfg, String label) throws Exception {
        int base = base();
        long t0 = (System.currentTimeMillis() - 3_600_000L) * 1_000_000L; // ms-aligned, an hour ago
        int devices = 200;
        int perDevice = 50;
        List<PingResult> pings = new ArrayList<>();
        List<PingStats> stats = new ArrayList<>();
        for (int k = 0; k < perDevice; k++) {
            for (int d = 0; d < devices; d++) {
                int ip = base | ((d / 250) << 8) | (d % 250 + 1);
                long ts = t0 + k * 1_000_000_000L + d * 1_000_000L;
                pings.add((k + d) % 9 == 0 ? PingResult.failed(ip, ts, PingResult.Outcome.TIMEOUT)
                        : PingResult.reply(ip, ts, 250_000L + 1_000L * ((k * 31 + d) % 977)));
            }
        }
        for (int d = 0; d < devices; d++) {
            int ip = base | (d % 250 + 1);
            stats.add(new PingStats(ip, t0 + 100_000_000_000L, 60_000_000_000L, 60, 58 - d % 3, (2 + d % 3) * 100.0 / 60,
                    0.25, 0.5 + d / 1000.0, 1.75, 0.125, Double.NaN, 1.5));
        }
        try (InfluxWriter w = new InfluxWriter(cfg.dataDir(tmp.resolve(label)).batchSize(1_000)
                .flushInterval(Duration.ofMillis(200)).build()).start()) {
            for (PingResult p : pings) assertThat(w.offerPing(p)).isTrue();
            for (PingStats s : stats) assertThat(w.offerPingStats(s)).isTrue();
            int total = pings.size() + stats.size();
            await(Duration.ofSeconds(60), () -> w.counters().pointsConfirmed() == total, () -> w.counters().toString());
            assertThat(w.counters().failures()).isZero();
        }
        // Expected samples: (series name, ip, ms) -> value
        Map<String, Double> expected = new HashMap<>();
        for (PingResult p : pings) {
            String key = Ipv4.format(p.ipv4()) + "@" + p.sentAtEpochNanos() / 1_000_000;
            if (p.success()) expected.put("ping_rtt_ms " + key, p.rttMillis());
            expected.put("ping_success " + key, p.success() ? 1.0 : 0.0);
        }
        for (PingStats s : stats) {
            String key = Ipv4.format(s.ipv4()) + "@" + s.windowEndEpochNanos() / 1_000_000;
            expected.put("ping_stats_sent " + key, (double) s.sent());
            expected.put("ping_stats_received " + key, (double) s.received());
            expected.put("ping_stats_loss_pct " + key, s.lossPercent());
            expected.put("ping_stats_rtt_min_ms " + key, s.rttMinMillis());
            expected.put("ping_stats_rtt_avg_ms " + key, s.rttAvgMillis());
            expected.put("ping_stats_rtt_max_ms " + key, s.rttMaxMillis());
            expected.put("ping_stats_rtt_stddev_ms " + key, s.rttStddevMillis());
            expected.put("ping_stats_rtt_p95_ms " + key, s.rttP95Millis());
        }
        String selector = "{__name__=~\"ping_.*\",ip=~\"" + ipRegex(base) + "\"}";
        Map<String, Double> got = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            vm.forceFlush();
            got.clear();
            for (VictoriaMetrics.Series s : vm.export(selector)) {
                for (int i = 0; i < s.values().size(); i++) {
                    if (s.name().equals("ping_outcome")) continue; // a string field: VM keeps no value
                    String k = s.name() + " " + s.labels().get("ip") + "@" + s.timestampsMillis().get(i);
                    if (got.put(k, s.values().get(i)) != null) throw new AssertionError("duplicate sample " + k);
                }
            }
        } while (got.size() < expected.size() && System.nanoTime() < deadline);
        // VictoriaMetrics keeps 12 significant decimal digits of a float; our exact text is
        // checked against the parser elsewhere. Compare with that relative tolerance.
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            Double g = got.get(e.getKey());
            if (g == null || Math.abs(g - e.getValue()) > 1e-11 * Math.max(1, Math.abs(e.getValue()))) {
                diffs.add(e.getKey() + " expected " + e.getValue() + " got " + g);
            }
        }
        for (String k : got.keySet()) {
            if (!expected.containsKey(k)) {
                diffs.add("unexpected " + k + "=" + got.get(k)); // e.g. a NaN jitter written as a value
            }
        }
        assertThat(diffs.size()).as("VictoriaMetrics holds %d samples, expected %d (selector %s); first differences: %s",
                got.size(), expected.size(), selector, diffs.subList(0, Math.min(16, diffs.size()))).isZero();
    }

    @Test
    void aTagOnEveryPointArrivesAsALabel() throws Exception {
        int base = base();
        long t0 = (System.currentTimeMillis() - 3_600_000L) * 1_000_000L;
        try (InfluxWriter w = new InfluxWriter(WriterConfig.v2(vm.url, "netscan", "netscan", "unused-by-vm")
                .tag("instance", "pi-7").dataDir(tmp.resolve("tag")).flushInterval(Duration.ofMillis(100)).build()).start()) {
            for (int d = 1; d <= 20; d++) {
                assertThat(w.offerPing(PingResult.reply(base | d, t0 + d * 1_000_000L, 300_000L))).isTrue();
            }
            await(Duration.ofSeconds(60), () -> w.counters().pointsConfirmed() == 20, () -> w.counters().toString());
        }
        String selector = "{__name__=\"ping_success\",ip=~\"" + ipRegex(base) + "\"}";
        List<VictoriaMetrics.Series> series = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (series.size() < 20 && System.nanoTime() < deadline) {
            vm.forceFlush();
            series = vm.export(selector);
        }
        assertThat(series).hasSize(20).allSatisfy(s -> assertThat(s.labels()).containsEntry("instance", "pi-7"));
    }

    @Test
    void v2WritesReadBackValueByValue() throws Exception {
        writeAndCompare(WriterConfig.v2(vm.url, "netscan", "netscan", "unused-by-vm"), "v2");
    }

    @Test
    void v1WritesReadBackValueByValue() throws Exception {
        writeAndCompare(WriterConfig.v1(vm.url, "netscan").precision(Precision.MILLISECONDS), "v1");
    }

    @Test
    void ipv6DevicesAreWrittenUnderTheirCanonicalAddressInTheIpTag() throws Exception {
        // a /48 of 2001:db8::/32 of this run's own, written unabbreviated with upper case to show
        // that the tag is the canonical text whatever form the address came in
        int run = new SplittableRandom(System.nanoTime()).nextInt(1, 0xFFFF);
        String prefix = String.format("2001:0DB8:%04X:0000:0000:0000:0000:00", run);
        dev.netscan.core.AddressBook book = dev.netscan.core.AddressBook.shared();
        long t0 = (System.currentTimeMillis() - 1_800_000L) * 1_000_000L;
        Map<String, Integer> keys = new HashMap<>();
        for (int d = 1; d <= 20; d++) {
            java.net.Inet6Address a = (java.net.Inet6Address) java.net.InetAddress.getByName(prefix + String.format("%02X", d));
            keys.put(String.format("2001:db8:%x::%x", run, d), book.intern(a));
        }
        try (InfluxWriter w = new InfluxWriter(WriterConfig.v2(vm.url, "netscan", "netscan", "unused-by-vm")
                .dataDir(tmp.resolve("v6")).batchSize(100).flushInterval(Duration.ofMillis(100)).build()).start()) {
            int n = 0;
            for (int key : keys.values()) {
                assertThat(w.offerPing(PingResult.reply(key, t0, 1_500_000L))).isTrue();
                assertThat(w.offerPingStats(new PingStats(key, t0 + 1_000_000_000L, 60_000_000_000L, 60, 60, 0,
                        1, 1.5, 2, 0.1, 0.2, 1.9))).isTrue();
                assertThat(w.offerDeviceInfo(key, new dev.netscan.core.SnmpInfo("six", null, null, 12_300, null, null),
                        t0 + 2_000_000_000L)).isTrue();
                assertThat(w.offerDeviceEvent(new dev.netscan.core.DeviceEvent(key, "new", "six", t0 + 3_000_000_000L))).isTrue();
                n += 4;
            }
            int total = n;
            await(Duration.ofSeconds(60), () -> w.counters().pointsConfirmed() == total, () -> w.counters().toString());
        }
        String selector = "{__name__=~\"ping_rtt_ms|ping_stats_sent|device_info_sys_uptime_s|device_event_count\","
                + "ip=~\"2001:db8:" + Integer.toHexString(run) + "::.*\"}";
        Map<String, List<String>> namesByIp = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            vm.forceFlush();
            namesByIp.clear();
            for (VictoriaMetrics.Series s : vm.export(selector)) {
                namesByIp.computeIfAbsent(s.labels().get("ip"), k -> new ArrayList<>()).add(s.name());
            }
        } while (namesByIp.values().stream().mapToInt(List::size).sum() < 80 && System.nanoTime() < deadline);
        assertThat(namesByIp.keySet()).containsExactlyInAnyOrderElementsOf(keys.keySet());
        for (List<String> names : namesByIp.values()) {
            assertThat(names).containsExactlyInAnyOrder("ping_rtt_ms", "ping_stats_sent", "device_info_sys_uptime_s",
                    "device_event_count");
        }
    }
}
