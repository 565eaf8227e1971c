package dev.netscan.core.governor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Profile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EMERGENCY tier: the host will fail soon. */
class GovernorEmergencyTest {
    private final FakeHostProbe host = new FakeHostProbe();
    private final Governor g = new Governor(GovernorSettings.builder().profile(Profile.STANDARD).build(), host,
            () -> Instant.ofEpochSecond(1_700_000_000L));
    private final List<Alert> alerts = new ArrayList<>();

    {
        g.addAlertListener(alerts::add);
    }

    private AlertTier sample(double memoryPct) {
        host.memoryUsedPct(memoryPct);
        return g.sampleNow().level();
    }

    @Test
    void memoryCriticalAndStillRisingIsAnEmergencyUntilItStopsRising() {
        assertThat(sample(91)).isEqualTo(AlertTier.CRITICAL);
        assertThat(sample(91)).as("critical but flat").isEqualTo(AlertTier.CRITICAL);
        assertThat(sample(93)).as("one rise").isEqualTo(AlertTier.CRITICAL);
        assertThat(sample(95)).as("two rises in a row").isEqualTo(AlertTier.EMERGENCY);
        assertThat(g.throttle().discoveryPaused()).isTrue();
        assertThat(alerts).filteredOn(a -> a.tier() == AlertTier.EMERGENCY).singleElement()
                .satisfies(a -> assertThat(a.message()).contains("still rising"));
        assertThat(sample(96)).isEqualTo(AlertTier.EMERGENCY);
        assertThat(sample(95.5)).as("it fell: critical again").isEqualTo(AlertTier.CRITICAL);
        assertThat(alerts.getLast().message()).contains("emergency cleared");
    }

    @Test
    void aFullDiskWithTheSpoolAtItsCapIsAnEmergencyButEitherAloneIsNot() {
        assertThat(sample(40)).isEqualTo(AlertTier.INFO);
        g.reportStorage(true, false);
        assertThat(sample(40)).isEqualTo(AlertTier.INFO);
        g.reportStorage(false, true);
        assertThat(sample(40)).isEqualTo(AlertTier.INFO);
        g.reportStorage(true, true);
        assertThat(sample(40)).isEqualTo(AlertTier.EMERGENCY);
        assertThat(alerts.getLast().cause()).isEqualTo(Governor.CAUSE_STORAGE);
        g.reportStorage(true, false);
        assertThat(sample(40)).isEqualTo(AlertTier.INFO);
    }
}
