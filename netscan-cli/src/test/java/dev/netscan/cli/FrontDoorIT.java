package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code netscan monitor} and {@code netscan bench} deliver through the front door, with
 * plain configurations, real ICMP on loopback and the file sink: behaviour, not speed (issue 13).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FrontDoorIT {
    private static final Pattern PING = Pattern.compile("^ping,ip=(\\S+) .*outcome=\"(\\w+)\" (\\d+)$");

    @TempDir
    Path dir;

    /** Runs netscan to its end (bounded), returning the exit code; stdout and stderr go to {@code log}. */
    private static int netscan(Path log, long limitSeconds, String... args) throws Exception {
        Process p = new ProcessBuilder(CliIT.command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("netscan " + String.join(" ", args) + " did not finish in " + limitSeconds + " s");
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    private Path config(String name, String body) throws IOException {
        Path cfg = dir.resolve(name + ".yml");
        Files.writeString(cfg, body + "data_dir: \"" + dir.resolve(name) + "\"\nhealth_check_port: 0\n"
                + "health_report_interval: 1s\nsnmp:\n  enabled: false\n");
        return cfg;
    }

    private List<String> lines(String name) throws IOException {
        List<String> lp = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve(name).resolve("metrics"))) {
            for (Path f : files.sorted().toList()) {
                lp.addAll(Files.readAllLines(f));
            }
        }
        return lp;
    }

    /** Send times (epoch ns) of each device's ping points; fails on any outcome but a reply. */
    private static Map<String, List<Long>> replies(List<String> lp) {
        Map<String, List<Long>> sends = new HashMap<>();
        for (String l : lp) {
            Matcher m = PING.matcher(l);
            if (m.matches()) {
                assertThat(m.group(2)).as("outcome of %s", l).isEqualTo("reply");
                sends.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Long.parseLong(m.group(3)));
            }
        }
        sends.values().forEach(t -> t.sort(Long::compare));
        return sends;
    }

    /** The last health_metrics line's integer fields. */
    private static Map<String, Long> lastHealth(List<String> lp) {
        String last = lp.stream().filter(l -> l.startsWith("health_metrics ")).reduce((a, b) -> b).orElseThrow();
        Map<String, Long> h = new HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(-?\\d+)i").matcher(last);
        while (m.find()) {
            h.put(m.group(1), Long.parseLong(m.group(2)));
        }
        h.put("stretched", last.contains("ping_schedule_stretched=true") ? 1L : 0L);
        return h;
    }

    @Test
    void aPlainConfigPingsTwoThousandDevicesEverySecondWithoutLocalOutcomes() throws Exception {
        Path cfg = config("plain", "networks: [\"127.3.0.0/21\"]\nping_interval: 1s\n");
        int exit = netscan(dir.resolve("plain.log"), 120, "monitor", "--config", cfg.toString(), "--duration", "32s");
        assertThat(exit).as(Files.readString(dir.resolve("plain.log"))).isZero();
        List<String> lp = lines("plain");
        Map<String, List<Long>> sends = replies(lp);
        assertThat(sends).hasSize(2_046);
        // the steady window: from the last device's first ping to the first device's last one
        long from = sends.values().stream().mapToLong(List::getFirst).max().orElseThrow();
        long to = sends.values().stream().mapToLong(List::getLast).min().orElseThrow();
        assertThat(to - from).as("steady window").isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(20));
        for (Map.Entry<String, List<Long>> e : sends.entrySet()) {
            List<Long> t = e.getValue().stream().filter(x -> x >= from && x <= to).toList();
            assertThat(t.size()).as("pings of %s in the window", e.getKey())
                    .isGreaterThanOrEqualTo((int) ((to - from) / 1_000_000_000L));
            for (int i = 1; i < t.size(); i++) {
                assertThat(t.get(i) - t.get(i - 1)).as("gap between pings of %s: no cycle skipped", e.getKey())
                        .isLessThan(TimeUnit.MILLISECONDS.toNanos(1_900));
            }
        }
        Map<String, Long> h = lastHealth(lp);
        assertThat(h).containsEntry("ping_local_total", 0L).containsEntry("ping_timeouts_total", 0L)
                .containsEntry("ping_send_errors_total", 0L).containsEntry("ping_interval_effective_ms", 1_000L)
                .containsEntry("stretched", 0L);
    }

    @Test
    void anOvercommittedConfigIsWarnedStretchedEvenlyAndWritesNoDeviceFailures() throws Exception {
        // 1,022 devices at 1 s with 200 probes in flight for 1 s: 200 probes/s can be served
        Path cfg = config("over", "networks: [\"127.3.8.0/22\"]\nping_interval: 1s\nping_timeout: 1s\n"
                + "max_concurrent_pingers: 200\n");
        int exit = netscan(dir.resolve("over.log"), 120, "monitor", "--config", cfg.toString(), "--duration", "25s");
        String log = Files.readString(dir.resolve("over.log"));
        assertThat(exit).as(log).isZero();
        assertThat(log).contains("max_concurrent_pingers is 200 but the networks hold 1022 addresses");
        assertThat(log).containsOnlyOnce("the ping schedule cannot be served")
                .contains("1022 devices at ping_interval 1s need 1022 probes/s")
                .contains("every 5110ms instead").contains("raise max_concurrent_pingers");
        List<String> lp = lines("over");
        Map<String, Long> h = lastHealth(lp);
        assertThat(h).containsEntry("stretched", 1L).containsEntry("ping_interval_effective_ms", 5_110L)
                .containsEntry("ping_timeouts_total", 0L).containsEntry("ping_send_errors_total", 0L);
        assertThat(lp.stream().filter(l -> l.startsWith("health_metrics ")).reduce((a, b) -> b).orElseThrow())
                .contains("alert_level=\"WARNING\"");
        Map<String, List<Long>> sends = replies(lp); // every point a reply: no device failure written
        assertThat(sends).hasSize(1_022);
        // once every device is on the (stretched) schedule; devices scheduled earlier were pinged every
        // second until the schedule grew beyond what can be served
        long from = sends.values().stream().mapToLong(List::getFirst).max().orElseThrow();
        for (Map.Entry<String, List<Long>> e : sends.entrySet()) {
            List<Long> t = e.getValue().stream().filter(x -> x >= from).toList();
            assertThat(t.size()).as("pings of %s", e.getKey()).isGreaterThanOrEqualTo(2);
            for (int i = 1; i < t.size(); i++) {
                assertThat(t.get(i) - t.get(i - 1)).as("gap between pings of %s", e.getKey())
                        .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(4_500));
            }
        }
    }

    @Test
    void aSweepFinishesInTimeWhileMonitoringRunsAtFullLoad() throws Exception {
        // 8,190 devices at 1 s; the second sweep (after 10 s) runs while all of them are pinged
        Path cfg = config("sweep", "networks: [\"127.4.0.0/19\"]\nping_interval: 1s\nping_rate_limit: 5000\n"
                + "sweep_retries: 0\nicmp_discovery_interval: 10s\n");
        int exit = netscan(dir.resolve("sweep.log"), 120, "monitor", "--config", cfg.toString(), "--duration", "30s");
        assertThat(exit).as(Files.readString(dir.resolve("sweep.log"))).isZero();
        List<String> lp = lines("sweep");
        Map<String, Long> h = lastHealth(lp);
        assertThat(h.get("sweeps_total")).isGreaterThanOrEqualTo(2L);
        assertThat(h).containsEntry("last_sweep_alive", 8_190L).containsEntry("device_count", 8_190L);
        // (addresses / sweep rate) x 1.2 + timeout
        assertThat(h.get("last_sweep_ms")).isLessThanOrEqualTo((long) (8_190 / 5_000.0 * 1.2 * 1_000) + 1_000);
        assertThat(h.get("ping_replies_total")).isGreaterThan(8_190L * 10);
        replies(lp);
    }

    @Test
    void benchMeasuresMonitoringOnLoopbackAndRecommends() throws Exception {
        Path out = dir.resolve("bench.json");
        int exit = netscan(out, 90, "bench", "--devices", "500", "--duration", "15s", "--no-fping", "--format", "json");
        String text = Files.readString(out);
        assertThat(exit).as(text).isZero();
        String json = text.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(text));
        Map<String, Object> m = MiniJson.object(json);
        assertThat(m).containsEntry("devices", 500L).containsEntry("interval_ms", 1_000L).containsEntry("timeouts", 0L)
                .containsEntry("local_outcomes", 0L).containsKeys("cpu_us_per_echo", "cpu_pct_of_one_core", "lateness_p99_us");
        assertThat(((Number) m.get("echoes")).longValue()).isGreaterThan(500L * 3);
        assertThat((String) m.get("recommendation")).startsWith("this host can watch 500 devices at 1 s using ");
    }
}
