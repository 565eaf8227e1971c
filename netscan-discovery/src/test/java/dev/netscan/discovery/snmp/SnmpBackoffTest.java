package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnmpBackoffTest {
    private static final long HOUR = 3_600_000_000_000L;

    @Test
    void suspendsAfterMaxConsecutiveFailsAndCountsExactly() {
        SnmpBackoff b = new SnmpBackoff(3, HOUR);
        long t = 1_000;
        assertThat(b.recordFailure(7, t)).isFalse();
        assertThat(b.recordFailure(7, t)).isFalse();
        assertThat(b.isSuspended(7, t)).isFalse();
        assertThat(b.recordFailure(7, t)).isTrue();
        assertThat(b.isSuspended(7, t)).isTrue();
        assertThat(b.suspendedCount(t)).isEqualTo(1);
        assertThat(b.suspendedCount(t + HOUR - 1)).isEqualTo(1);
        assertThat(b.suspendedCount(t + HOUR)).as("expires exactly at the end").isZero();
        assertThat(b.isSuspended(7, t + HOUR)).isFalse();
    }

    @Test
    void successResetsTheStreak() {
        SnmpBackoff b = new SnmpBackoff(3, HOUR);
        b.recordFailure(1, 0);
        b.recordFailure(1, 0);
        b.recordSuccess(1);
        assertThat(b.failStreak(1)).isZero();
        assertThat(b.recordFailure(1, 0)).isFalse();
        assertThat(b.trackedCount()).isEqualTo(1);
    }

    @Test
    void afterBackoffOneMoreFailureSuspendsAgainAndASuccessClears() {
        SnmpBackoff b = new SnmpBackoff(2, HOUR);
        b.recordFailure(5, 0);
        b.recordFailure(5, 0);
        assertThat(b.isSuspended(5, HOUR)).isFalse();
        assertThat(b.recordFailure(5, HOUR)).as("half-open: one failure re-suspends").isTrue();
        assertThat(b.suspendedCount(HOUR + 1)).isEqualTo(1);
        assertThat(b.suspendedCount(2 * HOUR)).isZero();
        b.recordSuccess(5);
        assertThat(b.recordFailure(5, 2 * HOUR)).isFalse();
    }

    @Test
    void forgettingASuspendedDeviceStopsCountingIt() {
        SnmpBackoff b = new SnmpBackoff(1, HOUR);
        b.recordFailure(1, 0);
        b.recordFailure(2, 10);
        assertThat(b.suspendedCount(10)).isEqualTo(2);
        b.forget(1);
        assertThat(b.suspendedCount(10)).isEqualTo(1);
        assertThat(b.suspendedCount(HOUR + 10)).isZero();
        assertThat(b.trackedCount()).isEqualTo(1);
    }

    @Test
    void countMatchesAModelUnderRandomOperations() {
        SplittableRandom rnd = new SplittableRandom(42);
        SnmpBackoff b = new SnmpBackoff(3, 1_000);
        long[] until = new long[64];
        boolean[] suspendedEver = new boolean[64];
        int[] streak = new int[64];
        long now = Long.MAX_VALUE - 50_000; // crosses the long overflow: times compare by difference
        for (int step = 0; step < 100_000; step++) {
            now += rnd.nextInt(0, 40);
            int d = rnd.nextInt(64);
            boolean suspendedNow = suspendedEver[d] && until[d] - now > 0;
            switch (rnd.nextInt(5)) {
                case 0, 1 -> { // success or forget: the record is cleared
                    if (rnd.nextBoolean()) {
                        b.recordSuccess(d);
                    } else {
                        b.forget(d);
                    }
                    streak[d] = 0;
                    suspendedEver[d] = false;
                }
                default -> {
                    boolean suspended = b.recordFailure(d, now);
                    streak[d] = Math.min(streak[d] + 1, 3);
                    boolean expectSuspend = streak[d] == 3 && !suspendedNow;
                    assertThat(suspended).isEqualTo(expectSuspend);
                    if (expectSuspend) {
                        until[d] = now + 1_000;
                        suspendedEver[d] = true;
                    }
                }
            }
            int expected = 0;
            for (int i = 0; i < 64; i++) {
                if (suspendedEver[i] && until[i] - now > 0) {
                    expected++;
                }
            }
            assertThat(b.suspendedCount(now)).as("step %d", step).isEqualTo(expected);
            assertThat(b.isSuspended(d, now)).isEqualTo(suspendedEver[d] && until[d] - now > 0);
        }
    }

    @Test
    void concurrentFailuresAndReadsKeepTheCountConsistent() throws Exception {
        SnmpBackoff b = new SnmpBackoff(5, HOUR);
        AtomicLong clock = new AtomicLong();
        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(id);
                for (int i = 0; i < 50_000; i++) {
                    int device = id * 1000 + rnd.nextInt(1000); // disjoint per thread
                    b.recordFailure(device, clock.get());
                    b.suspendedCount(clock.get());
                }
                done.countDown();
            });
        }
        done.await();
        // each thread made every one of its 1000 devices fail far more than 5 times
        assertThat(b.suspendedCount(clock.get())).isEqualTo(threads * 1000);
        assertThat(b.suspendedCount(clock.get() + HOUR)).isZero();
    }
}
