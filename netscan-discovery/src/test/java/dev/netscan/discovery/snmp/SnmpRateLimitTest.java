package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token bucket behind snmp_rate_limit / snmp_burst_limit, and the in-flight sizing rule. */
class SnmpRateLimitTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFullBucketLetsTheBurstThroughThenOnePerInterval() {
        SnmpRateLimit r = new SnmpRateLimit(10, 3, 0);
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isEqualTo(100 * MS);
        assertThat(r.tryAcquire(40 * MS)).isEqualTo(60 * MS);
        assertThat(r.tryAcquire(100 * MS)).isZero();
        assertThat(r.tryAcquire(100 * MS)).isEqualTo(100 * MS);
    }

    @Test
    void aLongQuietSpellSavesNoMoreThanTheBurst() {
        SnmpRateLimit r = new SnmpRateLimit(1_000, 2, 0);
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isZero();
        long later = 3_600_000 * MS;
        assertThat(r.tryAcquire(later)).isZero();
        assertThat(r.tryAcquire(later)).isZero();
        assertThat(r.tryAcquire(later)).isPositive();
    }

    @Test
    void overAnHourStartsMatchTheRate() {
        SnmpRateLimit r = new SnmpRateLimit(7.5, 1, 0);
        long now = 0;
        int started = 0;
        while (now <= 3_600_000 * MS) {
            long wait = r.tryAcquire(now);
            if (wait == 0) {
                started++;
            } else {
                now += wait;
            }
        }
        assertThat(started).isBetween(27_000, 27_001);
    }

    @Test
    void rejectsANonPositiveRateOrBurst() {
        assertThatThrownBy(() -> new SnmpRateLimit(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnmpRateLimit(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inFlightIsSizedToAskEveryDeviceWithinTheWindow() {
        Duration t = Duration.ofSeconds(2);
        Duration w = Duration.ofSeconds(20);
        // 20,000 devices, each holding a slot up to 4 s, all asked within 20 s: 4,000 at once
        assertThat(SnmpSettings.inFlightFor(20_000, t, 1, w, 32)).isEqualTo(4_000);
        assertThat(SnmpSettings.inFlightFor(100, t, 1, w, 32)).isEqualTo(32);
        assertThat(SnmpSettings.inFlightFor(10, t, 1, w, 32)).isEqualTo(10);
        assertThat(SnmpSettings.inFlightFor(0, t, 1, w, 32)).isEqualTo(32);
        assertThat(SnmpSettings.inFlightFor(1_000_000, t, 1, w, 32)).isEqualTo(SnmpSettings.MAX_SIZED_IN_FLIGHT);
    }
}
