package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SnmpSettingsTest {

    @Test
    void defaultsMatchTheIssue() {
        SnmpSettings s = SnmpSettings.builder().community("x7-Lab-Ro").build();
        assertThat(s.version()).isEqualTo(SnmpVersion.V2C);
        assertThat(s.port()).isEqualTo(161);
        assertThat(s.interval()).isEqualTo(Duration.ofHours(1));
        assertThat(s.maxConsecutiveFails()).isEqualTo(5);
        assertThat(s.backoff()).isEqualTo(Duration.ofHours(1));
        assertThat(s.privProtocol()).isEqualTo(SnmpPrivProtocol.NONE);
        assertThat(s.weakCommunity()).isFalse();
    }

    @Test
    void reportsEveryProblemAtOnce() {
        SnmpSettingsException e = catchThrowableOfType(SnmpSettingsException.class, () -> SnmpSettings.builder()
                .version(SnmpVersion.V3).port(0).timeout(Duration.ZERO).retries(-1).maxInFlight(0)
                .interval(Duration.ofMillis(5)).maxConsecutiveFails(0).backoff(null)
                .auth(null, "short").priv(SnmpPrivProtocol.AES256, null).build());
        assertThat(e.problems()).hasSize(11);
        assertThat(e.getMessage()).contains("snmp port: 0", "snmp timeout", "snmp retries: -1", "snmp maxInFlight: 0",
                "snmp interval", "snmp maxConsecutiveFails", "snmp backoff", "snmp v3 user", "snmp v3 auth protocol",
                "snmp v3 auth passphrase", "snmp v3 priv passphrase: required for AES256");
    }

    @Test
    void communityRequiredForV1AndV2c() {
        assertThatThrownBy(() -> SnmpSettings.builder().version(SnmpVersion.V1).build())
                .isInstanceOf(SnmpSettingsException.class).hasMessageContaining("snmp community: required for V1");
    }

    @Test
    void v3SettingsWithACommunityVersionAreRejected() {
        assertThatThrownBy(() -> SnmpSettings.builder().community("x7-Lab-Ro").v3User("bob").build())
                .hasMessageContaining("given but version is V2C");
    }

    @Test
    void credentialsNeverAppearInToStringOrErrors() {
        SnmpSettings v3 = SnmpSettings.builder().version(SnmpVersion.V3).v3User("ops")
                .auth(SnmpAuthProtocol.SHA512, "auth-SECRET-1234").priv(SnmpPrivProtocol.AES256, "priv-SECRET-5678").build();
        assertThat(v3.toString()).doesNotContain("auth-SECRET-1234", "priv-SECRET-5678").contains("<redacted>", "SHA512", "ops");
        SnmpSettings v2 = SnmpSettings.builder().community("comm-SECRET-9").build();
        assertThat(v2.toString()).doesNotContain("comm-SECRET-9");
        assertThat(v2.redact("timeout talking with community comm-SECRET-9")).isEqualTo("timeout talking with community <redacted>");

        Throwable shortPass = catchThrowableOfType(SnmpSettingsException.class, () -> SnmpSettings.builder().version(SnmpVersion.V3)
                .v3User("ops").auth(SnmpAuthProtocol.SHA1, "s3cr3t!").priv(SnmpPrivProtocol.AES128, "pr1v\u0000").build());
        assertThat(shortPass.getMessage()).doesNotContain("s3cr3t!", "pr1v");
        Throwable badCommunity = catchThrowableOfType(SnmpSettingsException.class,
                () -> SnmpSettings.builder().community("bad\ncommunity-SECRET").build());
        assertThat(badCommunity.getMessage()).doesNotContain("community-SECRET");
    }

    @Test
    void weakCommunitiesAreRecognised() {
        for (String c : new String[] {"public", "PRIVATE", "community", "snmp", "cisco", ""}) {
            assertThat(SnmpSettings.builder().community(c).build().weakCommunity()).as(c).isTrue();
        }
        assertThat(SnmpSettings.builder().community("q9-lab-ro").build().weakCommunity()).isFalse();
    }
}
