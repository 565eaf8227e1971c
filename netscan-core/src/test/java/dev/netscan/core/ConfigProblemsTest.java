package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigProblemsTest {

    @Test
    void throwsEveryProblemAtOnceInOneTypeWithTheSource() {
        ConfigProblems p = new ConfigProblems();
        p.range("port", 70_000, 1, 65_535);
        p.atLeast("interval", Duration.ofMillis(5), Duration.ofSeconds(1));
        p.required("dir", null);
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> p.throwIfAny("f.yml"));
        assertThat(e.source()).isEqualTo("f.yml");
        assertThat(e.messages()).containsExactly("port: must be between 1 and 65535, was 70000",
                "interval: must be at least 1s, was 5ms", "dir: is required");
        assertThat(e.getMessage()).startsWith("f.yml: invalid configuration (3 problems):");
    }

    @Test
    void collectsAPartsProblemsRenamedAndSkipsKeysAlreadyReported() {
        ConfigProblems p = new ConfigProblems();
        p.add("snmp_workers", "outer message");
        Object built = p.collect(() -> {
            throw new InvalidConfigException(List.of(new InvalidConfigException.Problem("maxInFlight", "inner"),
                    new InvalidConfigException.Problem("warningPct", "must be below criticalPct and maxInFlight"),
                    new InvalidConfigException.Problem("port", "bad port"),
                    new InvalidConfigException.Problem("internal", "dropped")));
        }, k -> switch (k) {
            case "maxInFlight" -> "snmp_workers";
            case "port" -> "snmp.port";
            case "warningPct" -> "governor.warning_pct";
            case "criticalPct" -> "governor.critical_pct";
            default -> null;
        });
        assertThat(built).isNull();
        assertThat(p.problems()).extracting(Object::toString).containsExactly("snmp_workers: outer message",
                "governor.warning_pct: must be below governor.critical_pct and snmp_workers", "snmp.port: bad port");
        assertThat(p.collect(() -> "ok")).isEqualTo("ok");
    }

    @Test
    void warningsAreNotProblems() {
        ConfigProblems p = new ConfigProblems();
        p.warn("snmp.auth_protocol", "MD5 is weak");
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.orThrow("value")).isEqualTo("value");
        assertThat(p.warnings()).extracting(Object::toString).containsExactly("snmp.auth_protocol: MD5 is weak");
    }
}
