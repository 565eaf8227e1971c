package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    /**
     * A file in the shape the Go service's users have, with env-expanded secrets: every key the Go
     * service's complete example configuration sets (re-read for issue 13).
     */
    private static final String GO_SERVICE_FILE = """
            networks:
              - "192.168.1.0/24"
              - "10.0.0.0/16"
            icmp_discovery_interval: "5m"
            snmp_interval: "1h"
            snmp_rate_limit: 10.0
            snmp_burst_limit: 50
            snmp_max_consecutive_fails: 5
            snmp_backoff_duration: "1h"
            snmp:
              community: "${SNMP_COMMUNITY}"
              port: 161
              timeout: "5s"
              retries: 2
            ping_interval: "2s"
            ping_timeout: "1500ms"
            ping_rate_limit: 100.0
            ping_burst_limit: 256
            icmp_workers: 64
            snmp_workers: 32
            influxdb:
              url: "http://127.0.0.1:8086"
              token: "${INFLUXDB_TOKEN}"
              org: "${INFLUXDB_ORG:-netscan}"
              bucket: "netscan"
              health_bucket: "health"
              batch_size: 5000
              buffer_size: 100000
              flush_interval: "5s"
            health_check_port: 8080
            health_report_interval: "10s"
            max_concurrent_pingers: 5000
            max_concurrent_snmp_pollers: 20000
            max_devices: 5000
            min_scan_interval: "1m"
            memory_limit_mb: 4096
            """;

    @Test
    void readsTheGoServiceKeysAndExpandsEnvironmentVariables() {
        ConfigFile.Result r = ConfigFile.parse(GO_SERVICE_FILE, "netscan.yml",
                Map.of("SNMP_COMMUNITY", "s3cret-comm", "INFLUXDB_TOKEN", "tok-123"));
        NetscanConfig c = r.config();
        assertThat(c.networks()).containsExactly("192.168.1.0/24", "10.0.0.0/16");
        assertThat(c.icmpDiscoveryInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.pingRateLimitPps()).isEqualTo(100);
        assertThat(c.icmpMaxInFlight()).isEqualTo(64);
        assertThat(c.snmp().community()).isEqualTo("s3cret-comm");
        assertThat(c.snmp().retries()).isEqualTo(2);
        assertThat(c.snmp().maxInFlight()).isEqualTo(32);
        assertThat(c.influx().token()).isEqualTo("tok-123");
        assertThat(c.influx().org()).isEqualTo("netscan");
        assertThat(c.influx().healthBucket()).isEqualTo("health");
        assertThat(c.maxDevices()).isEqualTo(5000);
        assertThat(c.maxConcurrentPingers()).isEqualTo(5000);
        assertThat(c.queueCapacity()).isEqualTo(100_000);
        assertThat(c.snmp().rateLimitPerSecond()).isEqualTo(10.0); // the Go service's key, honoured
        assertThat(c.snmp().burstLimit()).isEqualTo(50);
        assertThat(r.warnings()).hasSize(4)
                .anySatisfy(w -> assertThat(w).startsWith("ping_burst_limit: accepted for compatibility and ignored"))
                .anySatisfy(w -> assertThat(w).startsWith("max_concurrent_snmp_pollers:"))
                .anySatisfy(w -> assertThat(w).startsWith("min_scan_interval:"))
                .anySatisfy(w -> assertThat(w).startsWith("memory_limit_mb:"));
    }

    @Test
    void reportsEveryProblemAtOnceWithItsKeyAndSuggestions() {
        String bad = """
                networks: ["10.0.0.1/24", "10.9.0.0/16"]
                ping_intervall: "2s"
                ping_timeout: "fast"
                icmp_workers: many
                snmp:
                  comunity: "x"
                  port: 70000
                influxdb:
                  url: "http://127.0.0.1:8086"
                  token: "${MISSING_TOKEN}"
                  org: o
                  bucket: b
                profile: turbo
                """;
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigFile.parse(bad, "netscan.yml", Map.of()));
        assertThat(e.source()).isEqualTo("netscan.yml");
        assertThat(e.messages()).containsExactlyInAnyOrder(
                "ping_intervall: unknown key; did you mean ping_interval?",
                "ping_timeout: \"fast\" is not a duration (expected e.g. 500ms, 30s, 5m, 1h30m)",
                "icmp_workers: must be a whole number, was \"many\"",
                "snmp.comunity: unknown key; did you mean snmp.community?",
                "influxdb.token: environment variable MISSING_TOKEN is not set",
                "profile: must be standard or high-performance, was \"turbo\"",
                "networks[0]: invalid target \"10.0.0.1/24\": host bits are set; did you mean 10.0.0.0/24?",
                "snmp.port: must be between 1 and 65535, was 70000");
    }

    @Test
    void theFilesAndEveryModulesProblemsComeInOnePassByFileKey() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse("""
                ping_interval: 500ms
                snmp_workers: 0
                snmp:
                  version: "3"
                  user: ops
                  auth_protocol: SHA-3
                  auth_passphrase: long-enough-1
                  priv_protocol: AES
                governor:
                  memory_warning_pct: 95
                  sample_interval: 2h
                influxdb:
                  url: http://127.0.0.1:8086
                  org: o
                  bucket: b
                  queue_capacity: 100000000
                """, "f.yml", Map.of()));
        assertThat(e.getMessage()).startsWith("f.yml: invalid configuration");
        assertThat(e.messages()).containsExactlyInAnyOrder(
                "ping_interval: must be at least 1s, was 500ms",
                "ping_timeout: 1s is longer than ping_interval 500ms; a device would be pinged again before its last ping timed out",
                "snmp.auth_protocol: must be one of MD5 (weak), SHA, SHA-224, SHA-256, SHA-384 or SHA-512, was SHA-3",
                "snmp_workers: must be between 1 and 65536, was 0",
                "snmp.priv_passphrase: is required with privacy protocol AES",
                "influxdb.token: is required for the v2 API",
                "influxdb.queue_capacity: must be between 16 and 67108864, was 100000000",
                "governor.sample_interval: must be between 10ms and 1h, was 2h",
                "governor.memory_warning_pct: 95.0 must be below governor.memory_critical_pct 90.0");
    }

    @Test
    void weakSnmpProtocolsOfOldAgentsAreAcceptedWithAWarning() {
        ConfigFile.Result r = ConfigFile.parse("""
                snmp:
                  version: "3"
                  user: ops
                  auth_protocol: MD5
                  auth_passphrase: auth-pass-1234
                  priv_protocol: DES
                  priv_passphrase: priv-pass-5678
                """, "f.yml", Map.of());
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("snmp.auth_protocol: MD5 is weak"))
                .anySatisfy(w -> assertThat(w).startsWith("snmp.priv_protocol: DES is weak"));
        ConfigFile.Result aes192 = ConfigFile.parse("""
                snmp:
                  version: "3"
                  user: ops
                  auth_protocol: SHA-256
                  auth_passphrase: auth-pass-1234
                  priv_protocol: AES-192
                  priv_passphrase: priv-pass-5678
                """, "f.yml", Map.of());
        assertThat(aes192.warnings()).isEmpty();
        assertThat(dev.netscan.service.Settings.snmp(aes192.config()).privProtocol())
                .isEqualTo(dev.netscan.discovery.snmp.SnmpPrivProtocol.AES192);
    }

    @Test
    void secretsNeverAppearInProblems() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse("""
                snmp:
                  version: "3"
                  auth_protocol: SHA
                  auth_passphrase: "tiny"
                """, "f.yml", Map.of()));
        assertThat(e.getMessage()).doesNotContain("tiny").contains("snmp.auth_passphrase");
    }

    @Test
    void readsOurOwnKeysAndSizes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("netscan.yml");
        Files.writeString(f, """
                profile: high-performance
                networks: [127.0.0.0/24]
                exclude: [127.0.0.128/25]
                data_dir: /var/lib/netscan
                influxdb:
                  url: http://127.0.0.1:8428
                  api_version: 1
                  database: netscan
                  spool_max_bytes: 512MiB
                governor:
                  temperature_throttle_c: 70
                  temperature_critical_c: 80
                """);
        NetscanConfig c = ConfigFile.load(f, Map.of()).config();
        assertThat(c.profile()).isEqualTo(Profile.HIGH_PERFORMANCE);
        assertThat(c.targets().size()).isEqualTo(127);
        assertThat(c.influx().apiVersion()).isEqualTo(1);
        assertThat(c.spoolMaxBytes()).isEqualTo(512L << 20);
        assertThat(c.temperatureThrottleC()).isEqualTo(70);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/netscan"));
    }

    @Test
    void namesTheFileWhenItIsMissingOrNotYaml(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigFile.load(dir.resolve("nope.yml"), Map.of()))
                .hasMessageContaining("nope.yml: no such file");
        Path f = dir.resolve("broken.yml");
        Files.writeString(f, "networks: [10.0.0.0/24\nping_interval: 2s\n");
        assertThatThrownBy(() -> ConfigFile.load(f, Map.of()))
                .hasMessageContaining("broken.yml: not valid YAML at line");
        Files.writeString(f, "- just\n- a list\n");
        assertThatThrownBy(() -> ConfigFile.load(f, Map.of())).hasMessageContaining("top level must be a mapping");
    }

    @Test
    void aSizeTooLargeForALongIsAProblemOfItsKey() {
        assertThatThrownBy(() -> ConfigFile.parse("influxdb:\n  spool_max_bytes: 9999999999999TiB\n", "f.yml", Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("influxdb.spool_max_bytes: is too large");
    }

    @Test
    void deeplyNestedBracketsAreRefusedAtOnceNotScannedForMinutes() {
        String bomb = "networks: " + "[".repeat(1_000_000);
        // without the check SnakeYAML's look-ahead over the brackets is quadratic: this would not end
        assertThatThrownBy(() -> ConfigFile.parse(bomb, "f.yml", Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("f.yml: not valid YAML at line 1: brackets nested deeper than 100");
    }

    @Test
    void parsesGoStyleDurations() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("needs a unit");
        assertThatThrownBy(() -> Durations.parse("5 weeks")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("5w")).hasMessageContaining("unknown unit \"w\"");
    }

    @Test
    void theShippedExampleFileIsValidAndMatchesTheDefaults() {
        Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("netscan.example.yml");
        NetscanConfig c = ConfigFile.load(example, Map.of()).config();
        NetscanConfig defaults = NetscanConfig.builder().network("192.168.1.0/24").build();
        assertThat(c.networks()).containsExactly("192.168.1.0/24");
        assertThat(c.pingInterval()).isEqualTo(defaults.pingInterval());
        assertThat(c.pingTimeout()).isEqualTo(defaults.pingTimeout());
        assertThat(c.pingRateLimitPps()).isEqualTo(defaults.pingRateLimitPps());
        assertThat(c.icmpMaxInFlight()).isEqualTo(defaults.icmpMaxInFlight());
        assertThat(c.maxDevices()).isEqualTo(defaults.maxDevices());
        assertThat(c.snmp().timeout()).isEqualTo(defaults.snmp().timeout());
        assertThat(c.snmp().community()).isEqualTo("public");
        assertThat(c.suspendBase()).isEqualTo(defaults.suspendBase());
        assertThat(c.influx()).isNull();
        assertThat(c.healthCheckPort()).isEqualTo(8080);
    }

    @Test
    void theExampleFileDocumentsEveryKeyTheLoaderAccepts() throws Exception {
        Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("netscan.example.yml");
        String text = Files.readString(example);
        for (String key : ConfigFile.knownKeys()) {
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            String section = key.contains(".") ? key.substring(0, key.indexOf('.')) : null;
            assertThat(text).as("netscan.example.yml documents %s", key).containsPattern("(?m)^\\s*#?\\s*" + leaf + ":");
            if (section != null) {
                assertThat(text).as("section of %s", key).containsPattern("(?m)^\\s*#?\\s*" + section + ":");
            }
        }
    }

    @Test
    void readsDualStackNetworksAndOnLinkDiscovery() {
        ConfigFile.Result r = ConfigFile.parse("""
                networks:
                  - "192.168.1.0/24"
                  - "2001:db8:10::/120"
                exclude: ["2001:db8:10::1"]
                discovery:
                  interfaces: [eth0, br-lan]
                  all_nodes_multicast: true
                  neighbour_table: false
                  reply_wait: 2s
                """, "netscan.yml", Map.of());
        NetscanConfig c = r.config();
        assertThat(c.targets().ipv4Size()).isEqualTo(254);
        assertThat(c.targets().ipv6Size()).isEqualTo(254);
        assertThat(c.onLink().interfaces()).containsExactly("eth0", "br-lan");
        assertThat(c.onLink().allNodesMulticast()).isTrue();
        assertThat(c.onLink().neighbourTable()).isFalse();
        assertThat(c.onLink().replyWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.onLink().enabled()).isTrue();
    }

    @Test
    void aWideIpv6NetworkAndABadInterfaceAreRefusedByKey() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse("""
                networks: ["2001:db8::/64"]
                discovery:
                  interfaces: ["eth0/1", eth0, eth0]
                """, "netscan.yml", Map.of()));
        assertThat(e.messages()).containsExactlyInAnyOrder(
                "networks[0]: invalid target \"2001:db8::/64\": /64 holds 2^64 addresses, too many to sweep: IPv6 prefixes"
                        + " of at most 65,536 addresses (/112 or narrower) are swept; find the hosts of a wider on-link"
                        + " network with on-link discovery (the discovery.interfaces setting: all-nodes multicast echo and"
                        + " the neighbour table)",
                "discovery.interfaces[0]: \"eth0/1\" is not an interface name: character 5 is not allowed",
                "discovery.interfaces[2]: \"eth0\" is listed twice");
    }
}
