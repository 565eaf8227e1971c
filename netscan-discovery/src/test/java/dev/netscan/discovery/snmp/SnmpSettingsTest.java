package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netscan.core.InvalidConfigException;
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
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> SnmpSettings.builder()
                .version(SnmpVersion.V3).port(0).timeout(Duration.ZERO).retries(-1).maxInFlight(0)
                .interval(Duration.ofMillis(5)).maxConsecutiveFails(0).backoff(null)
                .auth(null, "short").priv(SnmpPrivProtocol.AES256, null).build());
        assertThat(e.keys()).containsExactly("port", "timeout", "retries", "maxInFlight", "interval",
                "maxConsecutiveFails", "backoff", "v3User", "authProtocol", "authPassphrase", "privPassphrase");
        assertThat(e.messages()).contains("port: must be between 1 and 65535, was 0",
                "privPassphrase: is required with privacy protocol AES-256");
    }

    @Test
    void communityRequiredForV1AndV2c() {
        assertThatThrownBy(() -> SnmpSettings.builder().version(SnmpVersion.V1).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("community: is required for V1");
    }

    @Test
    void v3SettingsWithACommunityVersionAreRejected() {
        assertThatThrownBy(() -> SnmpSettings.builder().community("x7-Lab-Ro").v3User("bob").build())
                .hasMessageContaining("version: is V2C but SNMP v3 settings (user, auth, priv) are given");
    }

    @Test
    void credentialsNeverAppearInToStringOrErrors() {
        SnmpSettings v3 = SnmpSettings.builder().version(SnmpVersion.V3).v3User("ops")
                .auth(SnmpAuthProtocol.SHA512, "auth-SECRET-1234").priv(SnmpPrivProtocol.AES256, "priv-SECRET-5678").build();
        assertThat(v3.toString()).doesNotContain("auth-SECRET-1234", "priv-SECRET-5678").contains("<redacted>", "SHA512", "ops");
        SnmpSettings v2 = SnmpSettings.builder().community("comm-SECRET-9").build();
        assertThat(v2.toString()).doesNotContain("comm-SECRET-9");
        assertThat(v2.redact("timeout talking with community comm-SECRET-9")).isEqualTo("timeout talking with community <redacted>");

        Throwable shortPass = catchThrowableOfType(InvalidConfigException.class, () -> SnmpSettings.builder().version(SnmpVersion.V3)
                .v3User("ops").auth(SnmpAuthProtocol.SHA1, "s3cr3t!").priv(SnmpPrivProtocol.AES128, "pr1v\u0000").build());
        assertThat(shortPass.getMessage()).doesNotContain("s3cr3t!", "pr1v");
        Throwable badCommunity = catchThrowableOfType(InvalidConfigException.class,
                () -> SnmpSettings.builder().community("bad\ncommunity-SECRET").build());
        assertThat(badCommunity.getMessage()).doesNotContain("community-SECRET");
    }

    @Test
    void md5AndDesAreAcceptedAndMarkedWeak() {
        SnmpSettings old = SnmpSettings.builder().version(SnmpVersion.V3).v3User("ops")
                .auth(SnmpAuthProtocol.MD5, "auth-pass-1234").priv(SnmpPrivProtocol.DES, "priv-pass-5678").build();
        assertThat(old.weakProtocols()).isTrue();
        SnmpSettings strong = old.toBuilder().auth(SnmpAuthProtocol.SHA256, "auth-pass-1234")
                .priv(SnmpPrivProtocol.AES192, "priv-pass-5678").build();
        assertThat(strong.weakProtocols()).isFalse();
    }

    @Test
    void protocolNamesAreNetSnmpsAndOurs() {
        assertThat(SnmpAuthProtocol.byName("SHA")).isEqualTo(SnmpAuthProtocol.SHA1);
        assertThat(SnmpAuthProtocol.byName("sha-256")).isEqualTo(SnmpAuthProtocol.SHA256);
        assertThat(SnmpAuthProtocol.byName("SHA512")).isEqualTo(SnmpAuthProtocol.SHA512);
        assertThat(SnmpAuthProtocol.byName("md5")).isEqualTo(SnmpAuthProtocol.MD5);
        assertThat(SnmpAuthProtocol.byName("SHA-3")).isNull();
        assertThat(SnmpPrivProtocol.byName("AES")).isEqualTo(SnmpPrivProtocol.AES128);
        assertThat(SnmpPrivProtocol.byName("AES-128")).isEqualTo(SnmpPrivProtocol.AES128);
        assertThat(SnmpPrivProtocol.byName("aes192")).isEqualTo(SnmpPrivProtocol.AES192);
        assertThat(SnmpPrivProtocol.byName("AES-256")).isEqualTo(SnmpPrivProtocol.AES256);
        assertThat(SnmpPrivProtocol.byName("DES")).isEqualTo(SnmpPrivProtocol.DES);
        assertThat(SnmpPrivProtocol.byName("3DES")).isNull();
    }

    @Test
    void weakCommunitiesAreRecognised() {
        for (String c : new String[] {"public", "PRIVATE", "community", "snmp", "cisco", ""}) {
            assertThat(SnmpSettings.builder().community(c).build().weakCommunity()).as(c).isTrue();
        }
        assertThat(SnmpSettings.builder().community("q9-lab-ro").build().weakCommunity()).isFalse();
    }
}
