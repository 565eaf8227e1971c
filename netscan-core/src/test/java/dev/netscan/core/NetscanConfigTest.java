package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetscanConfigTest {

    @Test
    void defaultsAreValidAndFollowTheStandardProfile() {
        NetscanConfig c = NetscanConfig.builder().network("192.168.1.0/24").build();
        assertThat(c.profile()).isEqualTo(Profile.STANDARD);
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxDevices()).isEqualTo(20_000);
        assertThat(c.failureThreshold()).isEqualTo(10);
        assertThat(c.batchSize()).isEqualTo(5_000);
        assertThat(c.icmpMaxInFlight()).isEqualTo(Profile.STANDARD.icmpMaxInFlight());
        assertThat(c.targets().size()).isEqualTo(254);
        assertThat(c.influx()).isNull();
        assertThat(c.snmp().weakCommunity()).isTrue();
    }

    @Test
    void highPerformanceProfileSets800InFlightDynamicBatchesAnd1msPacing() {
        NetscanConfig c = NetscanConfig.defaults(Profile.HIGH_PERFORMANCE);
        assertThat(c.icmpMaxInFlight()).isEqualTo(800);
        assertThat(c.batchSizeMin()).isEqualTo(500);
        assertThat(c.batchSizeMax()).isEqualTo(5_000);
        assertThat(c.pacing()).isEqualTo(Duration.ofMillis(1));
        assertThat(c.profile().dynamicBatches()).isTrue();
        assertThat(Profile.byKey("high_performance")).isEqualTo(Profile.HIGH_PERFORMANCE);
        assertThat(Profile.byKey("turbo")).isNull();
    }

    @Test
    void explicitValuesWinOverTheProfile() {
        NetscanConfig c = NetscanConfig.builder().profile(Profile.HIGH_PERFORMANCE).icmpMaxInFlight(65_536)
                .pingRateLimitPps(100_000).build();
        assertThat(c.icmpMaxInFlight()).isEqualTo(65_536);
        assertThat(c.pingRateLimitPps()).isEqualTo(100_000);
    }

    @Test
    void reportsEveryProblemAtOnceNamedByKey() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> NetscanConfig.builder()
                .network("10.0.0.0/33")
                .network("10.0.0.1/24")
                .network("10.0.0.0/12")
                .exclude("nonsense")
                .pingInterval(Duration.ofMillis(500))
                .batchSizeMin(900).batchSizeMax(800)
                .dataDir(null)
                .build());
        assertThat(e.keys()).containsExactlyInAnyOrder("networks[0]", "networks[1]", "networks[2]", "exclude[0]",
                "ping_interval", "ping_timeout", "influxdb.batch_size_min", "data_dir");
        assertThat(e.messages()).anySatisfy(p -> assertThat(p).startsWith("networks[0]:").contains("33"));
        assertThat(e.messages()).anySatisfy(p -> assertThat(p).startsWith("networks[1]:").contains("10.0.0.0/24"));
        assertThat(e.messages()).anySatisfy(p -> assertThat(p).startsWith("networks[2]:").contains("allow_large"));
        assertThat(e.messages()).contains("ping_interval: must be at least 1s, was 500ms",
                "ping_timeout: 1s is longer than ping_interval 500ms; a device would be pinged again before its last ping timed out",
                "influxdb.batch_size_min: 900 is greater than influxdb.batch_size_max 800", "data_dir: is required");
        assertThat(e.getMessage()).contains("8 problems");
    }

    @Test
    void refusesClassENetworksWhichKeyIpv6Devices() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> NetscanConfig.builder()
                .network("192.168.1.0/24").network("240.0.1.0/24").build());
        assertThat(e.keys()).containsExactly("networks[1]");
        assertThat(e.messages()).singleElement().asString()
                .contains("240.0.1.0/24 is in 240.0.0.0/4").contains("RFC 6890").contains("IPv6");
    }

    @Test
    void leavesWhatAModuleOwnsToThatModule() {
        // snmp.*, influxdb.* (but the batch bounds) and governor.* are checked by SnmpSettings,
        // WriterConfig and GovernorSettings through the service's Settings, under these same keys
        NetscanConfig c = NetscanConfig.builder().snmpVersion("4").memoryWarningPct(95).influxUrl("ftp://x").build();
        assertThat(c.snmp().version()).isEqualTo("4");
        ConfigProblems problems = new ConfigProblems();
        NetscanConfig lenient = NetscanConfig.builder().pingInterval(null).build(problems);
        assertThat(lenient).isNotNull();
        assertThat(problems.problems()).extracting(InvalidConfigException.Problem::key).containsExactly("ping_interval");
    }

    @Test
    void aStatsWindowShorterThanThePingIntervalIsAProblem() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> NetscanConfig.builder()
                .pingInterval(Duration.ofMinutes(2)).build());
        assertThat(e.messages()).containsExactly(
                "ping_stats_window: 1m is shorter than ping_interval 2m; a window must hold at least one ping");
    }

    @Test
    void refusesRangesWiderThanSlash8EvenWithAllowLarge() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> NetscanConfig.builder().allowLarge(true).network("10.0.0.0/7").build());
        assertThat(e.messages()).singleElement().asString().contains("wider than /8");
        assertThat(NetscanConfig.builder().allowLarge(true).network("10.0.0.0/8").build().targets().size())
                .isEqualTo((1L << 24) - 2);
    }

    @Test
    void neverShowsSecrets() {
        NetscanConfig ok = NetscanConfig.builder().snmpVersion("3").snmpUser("ops")
                .snmpAuthProtocol("SHA-256").snmpAuthPassphrase("auth-secret-123")
                .snmpPrivProtocol("AES-256").snmpPrivPassphrase("priv-secret-456")
                .influxUrl("http://127.0.0.1:8086").influxOrg("o").influxBucket("b").influxToken("tok-secret")
                .build();
        assertThat(ok.toString()).doesNotContain("auth-secret-123", "priv-secret-456", "tok-secret").contains("****");
        assertThat(ok.snmp().weakCommunity()).isFalse();
    }

    @Test
    void timeoutLongerThanIntervalIsAProblem() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> NetscanConfig.builder()
                .pingInterval(Duration.ofSeconds(2)).pingTimeout(Duration.ofSeconds(3)).build());
        assertThat(e.messages()).singleElement().asString()
                .isEqualTo("ping_timeout: 3s is longer than ping_interval 2s; a device would be pinged again before its last ping timed out");
    }

    @Test
    void acceptsMixedIpv4AndIpv6NetworksAndExclusions() {
        NetscanConfig c = NetscanConfig.builder()
                .network("192.168.1.0/24").network("2001:db8::/120").network("2001:db8:1::7")
                .exclude("2001:db8::80/121").exclude("192.168.1.1")
                .build();
        assertThat(c.targets().ipv4Size()).isEqualTo(253);
        assertThat(c.targets().ipv6Size()).isEqualTo(127 + 1);
        assertThat(c.networks()).containsExactly("192.168.1.0/24", "2001:db8::/120", "2001:db8:1::7");
    }

    @Test
    void refusesAnIpv6PrefixWiderThanSlash112NamingTheKeyValueAndOnLinkDiscovery() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> NetscanConfig.builder()
                .network("10.0.0.0/24").network("2001:db8::/64").network("2001:db8::zz").exclude("2001:db8::/129")
                .build());
        assertThat(e.keys()).containsExactly("networks[1]", "networks[2]", "exclude[0]");
        assertThat(e.messages()).containsExactly(
                "networks[1]: invalid target \"2001:db8::/64\": /64 holds 2^64 addresses, too many to sweep: IPv6 prefixes"
                        + " of at most 65,536 addresses (/112 or narrower) are swept; find the hosts of a wider on-link"
                        + " network with on-link discovery (the discovery.interfaces setting: all-nodes multicast echo and"
                        + " the neighbour table)",
                "networks[2]: invalid target \"2001:db8::zz\": unexpected character 'z' at position 10",
                "exclude[0]: invalid target \"2001:db8::/129\": prefix length 129 is greater than 128");
    }
}
