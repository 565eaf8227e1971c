package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.SinkCounters;
import dev.netscan.core.governor.ActiveAlert;
import dev.netscan.core.governor.AlertTier;
import dev.netscan.core.governor.FakeHostProbe;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.GovernorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's loop and disk state, as the fault watch turns them into alerts on a real governor. */
class FaultWatchTest {

    @TempDir
    Path dir;

    private static SinkCounters writer(boolean diskFull, long loopFailures, long loopRestarts) {
        return new SinkCounters(10, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, true, 0,
                diskFull, loopFailures, loopRestarts);
    }

    @Test
    void theWritersLoopFailuresAndRestartsBecomeLoopAlerts() {
        Governor g = new Governor(GovernorSettings.builder().build(), new FakeHostProbe());
        FaultWatch w = new FaultWatch(g, dir, Duration.ofMinutes(5));
        w.check(writer(false, 0, 0));
        assertThat(g.activeAlerts()).isEmpty();
        w.check(writer(false, 2, 0));
        assertThat(g.activeAlerts()).extracting(ActiveAlert::cause, ActiveAlert::tier)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("loop:writer", AlertTier.WARNING));
        w.check(writer(false, 2, 1));
        assertThat(g.level()).isEqualTo(AlertTier.CRITICAL);
        assertThat(g.activeAlerts().getFirst().reason()).contains("restarted by its watchdog (1 restarts so far)");
    }

    @Test
    void aFullOrUnwritableDataDirectoryIsCriticalUntilItIsWritableAgain() throws Exception {
        Governor g = new Governor(GovernorSettings.builder().build(), new FakeHostProbe());
        FaultWatch w = new FaultWatch(g, dir.resolve("data"), Duration.ofMinutes(5));
        Files.writeString(dir.resolve("data"), "a file where data_dir goes");
        w.check(writer(false, 0, 0));
        assertThat(g.activeAlerts()).singleElement().satisfies(a -> {
            assertThat(a.cause()).isEqualTo(FaultWatch.CAUSE_DISK_FULL);
            assertThat(a.tier()).isEqualTo(AlertTier.CRITICAL);
            assertThat(a.reason()).contains("is not a writable directory");
        });
        Files.delete(dir.resolve("data"));
        Files.createDirectories(dir.resolve("data"));
        w.check(writer(true, 0, 0));
        assertThat(g.activeAlerts()).extracting(ActiveAlert::cause).containsExactly(FaultWatch.CAUSE_DISK_FULL);
        w.check(writer(false, 0, 0));
        assertThat(g.activeAlerts()).isEmpty();
        assertThat(g.alerts().getLast().message()).contains("spooling resumed");
    }
}
