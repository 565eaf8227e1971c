package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.discovery.IcmpUnavailableException;
import dev.netscan.service.NetscanService;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Property: any configuration file the loader accepts is one the service builds (every module's
 * own builder agrees with the loader) and, for a loopback-sized subset, starts. Random files over
 * every key the loader knows, with values at and around each rule's bounds; fixed seeds so a
 * failure reproduces (the message carries the file).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LoaderAcceptsOnlyStartableConfigsTest {
    private static final List<String> DURATIONS = List.of("0s", "1ns", "1ms", "5ms", "10ms", "99ms", "100ms", "500ms",
            "1s", "2s", "5s", "10s", "30s", "59s", "1m", "5m", "1h", "2h", "25h", "400d");
    private static final List<String> INTS = List.of("-1", "0", "1", "2", "10", "11", "15", "16", "100", "499", "500",
            "999", "1000", "5000", "65535", "65536", "100000", "100001", "131072", "200000", "1000000", "16777216",
            "20000000");
    private static final List<String> DOUBLES = List.of("-1", "0", "0.5", "1", "2.5", "5", "50", "75", "80", "85", "90",
            "99", "100", "101", "150");
    private static final Map<String, List<String>> KEYS = new LinkedHashMap<>();

    static {
        for (String k : List.of("icmp_discovery_interval", "ping_interval", "ping_timeout", "snmp.timeout", "snmp_interval",
                "snmp_backoff_duration", "influxdb.flush_interval", "health_report_interval", "pacing",
                "reconcile_interval", "ping_stats_window", "suspend_backoff", "suspend_backoff_max", "prune_after",
                "snapshot_interval", "governor.sample_interval")) {
            KEYS.put(k, DURATIONS);
        }
        for (String k : List.of("icmp_workers", "snmp_workers", "snmp.port", "snmp.retries", "snmp_max_consecutive_fails",
                "influxdb.batch_size", "max_concurrent_pingers", "max_devices", "sweep_retries", "ping_failure_threshold",
                "influxdb.batch_size_min", "influxdb.batch_size_max", "influxdb.queue_capacity", "health_check_port")) {
            KEYS.put(k, INTS);
        }
        for (String k : List.of("ping_rate_limit", "governor.memory_warning_pct", "governor.memory_critical_pct",
                "governor.temperature_throttle_c", "governor.temperature_critical_c", "governor.error_rate_backoff_pct")) {
            KEYS.put(k, DOUBLES);
        }
        KEYS.put("influxdb.api_version", List.of("0", "1", "2", "3"));
        KEYS.put("profile", List.of("standard", "high-performance"));
        KEYS.put("allow_large", List.of("true", "false"));
        KEYS.put("snmp.enabled", List.of("true", "false"));
        KEYS.put("snmp.version", List.of("1", "2c", "3", "4"));
        KEYS.put("snmp.community", List.of("", "public", "x7-lab-ro", "bad\u0001community"));
        KEYS.put("snmp.user", List.of("", "ops", "a-user-name-longer-than-thirty-two-chars"));
        KEYS.put("snmp.auth_protocol", List.of("MD5", "SHA", "SHA-224", "sha256", "SHA-512", "SHA-3"));
        KEYS.put("snmp.auth_passphrase", List.of("short", "auth-pass-1234"));
        KEYS.put("snmp.priv_protocol", List.of("DES", "AES", "AES-192", "AES-256", "3DES"));
        KEYS.put("snmp.priv_passphrase", List.of("short", "priv-pass-5678"));
        KEYS.put("influxdb.url", List.of("http://127.0.0.1:9", "https://db.example.invalid:8086", "ftp://x",
                "http://127.0.0.1:9/?x=1", "not a url"));
        for (String k : List.of("influxdb.token", "influxdb.org", "influxdb.bucket", "influxdb.health_bucket",
                "influxdb.database", "influxdb.retention_policy", "influxdb.username", "influxdb.password")) {
            KEYS.put(k, List.of("", "netscan", "tok-1234"));
        }
        KEYS.put("influxdb.spool_max_bytes", List.of("10", "1MiB", "32MiB", "64MiB", "1GiB"));
        KEYS.put("networks", List.of("127.0.0.0/30", "127.0.0.0/15", "127.0.0.0/7", "127.0.0.1/24"));
        KEYS.put("exclude", List.of("127.0.0.2", "nonsense"));
    }

    /** A random file: each key present with probability {@code p}, its value one of the key's candidates. */
    private static Map<String, Object> randomFile(SplittableRandom rnd, double p, Path dataDir) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : KEYS.entrySet()) {
            if (rnd.nextDouble() < p) {
                put(root, e.getKey(), e.getValue().get(rnd.nextInt(e.getValue().size())));
            }
        }
        root.put("data_dir", dataDir.toString());
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String key, String value) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            root.put(key, key.equals("networks") || key.equals("exclude") ? List.of(value) : value);
        } else {
            ((Map<String, Object>) root.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>()))
                    .put(key.substring(dot + 1), value);
        }
    }

    @Test
    void everyAcceptedFileBuildsTheService(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(18);
        Yaml yaml = new Yaml();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 4_000; i++) {
            String text = yaml.dump(randomFile(rnd, 0.08, dir.resolve("data")));
            NetscanConfig config;
            try {
                config = ConfigFile.parse(text, "case-" + i + ".yml", Map.of()).config();
            } catch (InvalidConfigException e) {
                rejected++;
                assertThat(e.problems()).as(text).isNotEmpty();
                continue;
            }
            accepted++;
            assertThatCode(() -> NetscanService.builder(config).build()).as("case %d accepted by the loader:%n%s", i, text)
                    .doesNotThrowAnyException();
        }
        // both sides of the property are exercised, so it cannot pass vacuously
        assertThat(accepted).isGreaterThan(500);
        assertThat(rejected).isGreaterThan(500);
    }

    @Test
    void acceptedLoopbackFilesStart(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1818);
        Yaml yaml = new Yaml();
        int started = 0;
        for (int i = 0; i < 400 && started < 6; i++) {
            Map<String, Object> file = randomFile(rnd, 0.12, dir.resolve("data-" + i));
            // loopback-sized: a tiny loopback network, no fixed HTTP port, a registry that fits the test heap,
            // and a database (if any) on a closed loopback port, so the writer spools
            file.put("networks", List.of("127.0.0.0/30"));
            file.remove("exclude");
            file.put("health_check_port", "0");
            file.put("max_devices", "1000");
            @SuppressWarnings("unchecked")
            Map<String, Object> influx = (Map<String, Object>) file.get("influxdb");
            if (influx != null && influx.containsKey("url")) {
                influx.put("url", "http://127.0.0.1:9");
            }
            String text = yaml.dump(file);
            NetscanConfig config;
            try {
                config = ConfigFile.parse(text, "start-" + i + ".yml", Map.of()).config();
            } catch (InvalidConfigException e) {
                continue;
            }
            try (NetscanService s = NetscanService.builder(config).hostProbe(new FakeHostProbe()).build()) {
                try {
                    s.start();
                } catch (IcmpUnavailableException e) {
                    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                        throw e;
                    }
                    Assumptions.abort(e.getMessage());
                }
                assertThat(s.running()).as(text).isTrue();
                started++;
            } catch (RuntimeException | java.io.IOException e) {
                throw new AssertionError("case " + i + " was accepted by the loader but did not start:\n" + text, e);
            }
        }
        assertThat(started).isEqualTo(6);
    }
}
