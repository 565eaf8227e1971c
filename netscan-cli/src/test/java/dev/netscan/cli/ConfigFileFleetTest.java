package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netscan.core.InvalidConfigException;
import dev.netscan.fleet.FleetConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code fleet:} section of the configuration file, read into a {@link FleetConfig}. */
class ConfigFileFleetTest {

    @Test
    void readsTheSectionExpandingTheEnvironmentInsideKafkaProperties() {
        ConfigFile.Result r = ConfigFile.parse("""
                networks: ["127.0.0.0/30"]
                fleet:
                  kafka_bootstrap: ${KAFKA}
                  group: site-a
                  partitions: 256
                  instance: pi-7
                  session_timeout: 10s
                  results_topic: netscan.points
                  kafka:
                    security.protocol: SASL_SSL
                    sasl.jaas.config: ${KAFKA_JAAS}
                """, "fleet.yml", Map.of("KAFKA", "k1:9092,k2:9092", "KAFKA_JAAS", "secret-jaas"));
        FleetConfig f = r.fleet().orElseThrow();
        assertThat(f.kafkaBootstrap()).isEqualTo("k1:9092,k2:9092");
        assertThat(f.partitions()).isEqualTo(256);
        assertThat(f.instance()).isEqualTo("pi-7");
        assertThat(f.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(f.resultsTopic()).contains("netscan.points");
        assertThat(f.clientProperties()).containsEntry("sasl.jaas.config", "secret-jaas")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void withoutTheSectionNetscanRunsAlone() {
        assertThat(ConfigFile.parse("networks: [\"127.0.0.0/30\"]\n", "alone.yml", Map.of()).fleet()).isEmpty();
    }

    @Test
    void refusesIpv6NetworksInAFleetNamingTheEntry() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse("""
                networks: ["127.0.0.0/30", "2001:db8::/120"]
                fleet:
                  kafka_bootstrap: k1:9092
                  group: g
                """, "dual.yml", Map.of()));
        assertThat(e.problems()).extracting(p -> p.key()).containsExactly("networks[1]");
        assertThat(e.problems().toString()).contains("2001:db8::/120", "not shared by a fleet");
        assertThat(ConfigFile.parse("networks: [\"2001:db8::/120\"]\n", "alone.yml", Map.of()).fleet()).isEmpty();
    }

    @Test
    void reportsFleetProblemsWithTheOthersEachNamingItsKey() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse("""
                ping_interval: soon
                fleet:
                  group: "has space"
                  partitions: 0
                  colour: blue
                """, "bad.yml", Map.of()));
        assertThat(e.problems()).extracting(p -> p.key())
                .contains("ping_interval", "fleet.kafka_bootstrap", "fleet.group", "fleet.partitions", "fleet.colour");
        InvalidConfigException notMap = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigFile.parse("fleet: kafka1:9092\n", "bad.yml", Map.of()));
        assertThat(notMap.problems()).extracting(p -> p.key()).containsExactly("fleet");
        InvalidConfigException unset = catchThrowableOfType(InvalidConfigException.class, () -> ConfigFile.parse(
                "fleet:\n  kafka_bootstrap: ${NOPE}\n  group: g\n", "bad.yml", Map.of()));
        assertThat(unset.problems().toString()).contains("NOPE");
    }
}
