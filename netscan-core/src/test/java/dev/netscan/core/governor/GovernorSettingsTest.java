package dev.netscan.core.governor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GovernorSettingsTest {

    @Test
    void defaultsAreTheDocumentedThresholds() {
        GovernorSettings s = GovernorSettings.defaults();
        assertThat(s.profile()).isEqualTo(Profile.STANDARD);
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
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sampleInterval must be between 10 ms and 1 h, was PT0S")
                .hasMessageContaining("memoryWarningPct (95.0) must be below memoryCriticalPct (90.0)")
                .hasMessageContaining("temperatureThrottleCelsius (90.0) must be below temperatureCriticalCelsius (85.0)")
                .hasMessageContaining("recoveryFactor must be in (1, 4], was 0.9")
                .hasMessageContaining("errorRateMinEvents must be >= 1, was 0");
    }

    @Test
    void rejectsMissingProfileAndInconsistentScales() {
        assertThatThrownBy(() -> GovernorSettings.builder().profile(null).warningScale(0.2).build())
                .hasMessageContaining("profile must be set")
                .hasMessageContaining("0 < minimumScale <= criticalScale <= warningScale <= 1");
    }

    @Test
    void profilesParseFromConfigurationNames() {
        assertThat(Profile.fromConfigName("standard")).isEqualTo(Profile.STANDARD);
        assertThat(Profile.fromConfigName(" High-Performance ")).isEqualTo(Profile.HIGH_PERFORMANCE);
        assertThat(Profile.HIGH_PERFORMANCE.configName()).isEqualTo("high-performance");
        assertThatThrownBy(() -> Profile.fromConfigName("turbo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown profile 'turbo': expected 'standard' or 'high-performance'");
    }

    @Test
    void highPerformanceProfileMatchesTheReference() {
        Throttle hp = Profile.HIGH_PERFORMANCE.baseline();
        assertThat(hp.probesInFlight()).isEqualTo(800);
        assertThat(hp.pacingNanos()).isEqualTo(1_000_000);
        assertThat(Profile.HIGH_PERFORMANCE.batchMin()).isEqualTo(500);
        assertThat(Profile.HIGH_PERFORMANCE.batchMax()).isEqualTo(5_000);
        assertThat(Profile.HIGH_PERFORMANCE.dynamicBatches()).isTrue();
        assertThat(Profile.STANDARD.dynamicBatches()).isFalse();
    }

    @Test
    void hostSampleRejectsOutOfRangeValues() {
        assertThatThrownBy(() -> new HostSample(101, 0, 0, 0, 0, 0, 0)).hasMessageContaining("memoryUsedPct");
        assertThatThrownBy(() -> new HostSample(1, 1, -2, 0, 0, 0, 0)).hasMessageContaining("rssBytes");
        assertThatThrownBy(() -> new HostSample(1, 1, 1, 1.5, 0, 0, 0)).hasMessageContaining("cpuLoad");
        assertThat(new HostSample(1, 1, 1, 0, Double.NaN, 1, 0).cpuTemperature()).isEmpty();
    }
}
