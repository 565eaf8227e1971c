package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.InvalidConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetConfigTest {

    @Test
    void readsTheSectionWithDefaults() {
        FleetConfig c = FleetConfig.fromMap(Map.of("kafka_bootstrap", "k1:9092,k2:9093", "group", "site-a",
                "kafka", Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512")));
        assertThat(c.partitions()).isEqualTo(64);
        assertThat(c.topic()).isEqualTo("netscan-fleet.site-a");
        assertThat(c.groupProtocol()).isEqualTo("auto");
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.instance()).isNotBlank();
    }

    @Test
    void reportsEveryProblemAtOnceNamingTheKey() {
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("kafka_bootstrap", "no-port");
        bad.put("group", "has space");
        bad.put("partitions", 0);
        bad.put("session_timeout", "soon");
        bad.put("group_protocol", "eager");
        bad.put("kafka", Map.of("group.id", "x"));
        bad.put("colour", "blue");
        assertThatThrownBy(() -> FleetConfig.fromMap(bad)).isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).anyMatch(p -> p.toString().startsWith("fleet.kafka_bootstrap:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.group:")).anyMatch(p -> p.toString().startsWith("fleet.partitions:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.session_timeout:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.group_protocol:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.kafka.group.id:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.colour: unknown key")));
    }

    @Test
    void readsChangelogAndResultsKeys() {
        FleetConfig c = FleetConfig.fromMap(Map.of("kafka_bootstrap", "k1:9092", "group", "g", "changelog", false,
                "changelog_refresh", "30s", "changelog_max_rate", 500, "results_topic", "netscan.results",
                "instance", "pi-7"));
        assertThat(c.changelog()).isFalse();
        assertThat(c.changelogRefresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.changelogMaxRate()).isEqualTo(500);
        assertThat(c.resultsTopic()).contains("netscan.results");
        assertThat(c.changelogTopic()).isEqualTo("netscan-fleet.g.registry");
        FleetConfig d = FleetConfig.fromMap(Map.of("kafka_bootstrap", "k1:9092", "group", "g"));
        assertThat(d.changelog()).isTrue();
        assertThat(d.resultsTopic()).isEmpty();
        assertThatThrownBy(() -> FleetConfig.fromMap(Map.of("kafka_bootstrap", "k1:9092", "group", "g",
                "changelog", "yes", "changelog_max_rate", 1, "results_topic", "bad topic", "instance", "a b")))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems())
                        .anyMatch(p -> p.toString().startsWith("fleet.changelog:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.changelog_max_rate:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.results_topic:"))
                        .anyMatch(p -> p.toString().startsWith("fleet.instance:")));
    }

    @Test
    void partitionsAreStableAndSpreadNeighbouringAddresses() {
        // part of the wire contract: every instance and version must agree
        // (values computed independently from MurmurHash3's fmix32, floor-mod 64)
        assertThat(AddressPartitioner.partitionOf(0x7f050001, 64)).isEqualTo(50); // 127.5.0.1
        assertThat(AddressPartitioner.partitionOf(0x0a000001, 64)).isEqualTo(15); // 10.0.0.1
        assertThat(AddressPartitioner.partitionOf(0xc0a80101, 64)).isEqualTo(46); // 192.168.1.1
        int[] counts = new int[64];
        for (int i = 0; i < 64 * 1000; i++) {
            counts[AddressPartitioner.partitionOf(0x0a000000 + i, 64)]++;
        }
        for (int n : counts) {
            assertThat(n).isBetween(850, 1150); // a contiguous /16-ish block spreads within 15%
        }
    }
}
