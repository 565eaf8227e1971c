package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Device;
import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DeviceRegistry#restore}: devices with the state another instance kept for them. */
class RegistryRestoreTest {
    private static final long T0 = 1_700_000_000_000L;

    private static Device device(String ip, long lastSeen, int streak, long suspendedUntil, int suspensions) {
        return new Device(Ipv4.parse(ip), T0 - 60_000, lastSeen, new SnmpInfo("sw1", "desc", "1.3.6.1.4.1.9", 42, null, "rack 3"),
                T0 - 30_000, streak, suspendedUntil, suspensions, null);
    }

    @Test
    void restoresStateKeepsWhatItKnowsAndFiresAdded() {
        ManualClock clock = new ManualClock(T0);
        RecordingListener events = new RecordingListener();
        try (DeviceRegistry r = DeviceRegistry.builder().clock(clock).listener(events).expiryTimer(false).build()) {
            r.add(Ipv4.parse("10.0.0.1"), T0); // known here: left as it is
            int added = r.restore(List.of(
                    device("10.0.0.1", T0 - 50_000, 0, 0, 0),
                    device("10.0.0.2", T0 - 5_000, 12, T0 + 300_000, 2),
                    device("10.0.0.3", T0 - 9_000, 11, T0 - 1, 1))); // suspension already over
            assertThat(added).isEqualTo(2);
            assertThat(r.size()).isEqualTo(3);
            assertThat(r.get(Ipv4.parse("10.0.0.1")).lastSeenEpochMillis()).isEqualTo(T0);
            Device two = r.get(Ipv4.parse("10.0.0.2"));
            assertThat(two.lastSeenEpochMillis()).isEqualTo(T0 - 5_000);
            assertThat(two.suspendedAt(T0)).isTrue();
            assertThat(two.suspensions()).isEqualTo(2);
            assertThat(two.failureStreak()).isEqualTo(12);
            assertThat(two.snmp().sysName()).isEqualTo("sw1");
            assertThat(r.isSuspended(Ipv4.parse("10.0.0.3"))).isFalse();
            assertThat(r.suspendedCount()).isEqualTo(1);
            assertThat(events.events).containsExactly("added 10.0.0.1", "added 10.0.0.2", "added 10.0.0.3");
            r.checkInvariants();
            // the restored suspension ends by the clock like any other
            clock.advance(Duration.ofMinutes(6));
            r.processExpiries();
            assertThat(r.isSuspended(Ipv4.parse("10.0.0.2"))).isFalse();
            assertThat(r.suspendedCount()).isZero();
            r.checkInvariants();
        }
    }

    @Test
    void stopsAtCapacityWithoutEvicting() {
        try (DeviceRegistry r = DeviceRegistry.builder().maxDevices(2).clock(new ManualClock(T0)).build()) {
            r.add(Ipv4.parse("10.0.0.9"), T0);
            int added = r.restore(List.of(device("10.0.0.1", T0, 0, 0, 0), device("10.0.0.2", T0, 0, 0, 0)));
            assertThat(added).isEqualTo(1);
            assertThat(r.contains(Ipv4.parse("10.0.0.9"))).isTrue();
            assertThat(r.contains(Ipv4.parse("10.0.0.1"))).isTrue();
            assertThat(r.contains(Ipv4.parse("10.0.0.2"))).isFalse();
            r.checkInvariants();
        }
    }
}
