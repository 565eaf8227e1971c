package dev.netscan.core.governor;

import dev.netscan.core.Profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GovernorSettingsTest {

    @Test
    void defaultsAreTheDocumentedThresholds() {
        GovernorSettings s = GovernorSettings.defaults();
        assertThat(s.knobs()).isEqualTo(Knobs.of(Profile.STANDARD));
        assertThat(s.sampleInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.memoryWarningPct()).isEqualTo(80);
        assertThat(s.memoryCriticalPct()).isEqualTo(90);
        assertThat(s.temperatureThrottleCelsius()).isEqualTo(75);
        assertThat(s.temperatureCriticalCelsius()).isEqualTo(85);
        assertThat(s.errorRateBackoffPct()).isEqualTo(5);
        assertThat(s.alertHistory()).isEqualTo(100);
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> GovernorSettings.builder()
                        .sampleInterval(Duration.ZERO)
                        .memoryWarningPct(95)
                        .temperatureThrottleCelsius(90)
                        .recoveryFactor(0.9)
                        .errorRateMinEvents(0)
                        .build())
                .isInstanceOfSatisfying(dev.netscan.core.InvalidConfigException.class, e -> assertThat(e.messages())
                        .containsExactly("sampleInterval: must be between 10ms and 1h, was 0s",
                                "memoryWarningPct: 95.0 must be below memoryCriticalPct 90.0",
                                "temperatureThrottleCelsius: 90.0 must be below temperatureCriticalCelsius 85.0",
                                "errorRateMinEvents: must be >= 1, was 0",
                                "recoveryFactor: must be in (1, 4], was 0.9"));
    }

    @Test
    void rejectsMissingProfileAndInconsistentScales() {
        assertThatThrownBy(() -> GovernorSettings.builder().profile(null).warningScale(0.2).build())
                .hasMessageContaining("knobs: is required")
                .hasMessageContaining("0 < minimumScale <= criticalScale <= warningScale <= 1");
    }

    @Test
    void knobsFollowTheConfigurationWithExplicitValuesWinning() {
        Knobs k = Knobs.of(dev.netscan.core.NetscanConfig.builder().profile(Profile.HIGH_PERFORMANCE)
                .icmpMaxInFlight(4_096).build());
        assertThat(k.probesInFlight()).isEqualTo(4_096);
        assertThat(k.rateLimitPps()).isEqualTo(20_000);
        assertThat(k).isEqualTo(new Knobs(20_000, 4_096, 512, 1_000_000, 500, 1_000, 5_000));
        assertThatThrownBy(() -> new Knobs(1, 1, 1, 0, 600, 500, 5_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 <= min <= base <= max");
    }

    @Test
    void highPerformanceProfileMatchesTheReference() {
        Throttle hp = Knobs.of(Profile.HIGH_PERFORMANCE).baseline();
        assertThat(hp.probesInFlight()).isEqualTo(800);
        assertThat(hp.pacingNanos()).isEqualTo(1_000_000);
        assertThat(Knobs.of(Profile.HIGH_PERFORMANCE).batchMin()).isEqualTo(500);
        assertThat(Knobs.of(Profile.HIGH_PERFORMANCE).batchMax()).isEqualTo(5_000);
        assertThat(Knobs.of(Profile.HIGH_PERFORMANCE).dynamicBatches()).isTrue();
        assertThat(Knobs.of(Profile.STANDARD).dynamicBatches()).isFalse();
    }

    @Test
    void hostSampleRejectsOutOfRangeValues() {
        assertThatThrownBy(() -> new HostSample(101, 0, 0, 0, 0, 0, 0)).hasMessageContaining("memoryUsedPct");
        assertThatThrownBy(() -> new HostSample(1, 1, -2, 0, 0, 0, 0)).hasMessageContaining("rssBytes");
        assertThatThrownBy(() -> new HostSample(1, 1, 1, 1.5, 0, 0, 0)).hasMessageContaining("cpuLoad");
        assertThat(new HostSample(1, 1, 1, 0, Double.NaN, 1, 0).cpuTemperature()).isEmpty();
    }
}
