package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoarseClockTest {

    @Test
    void followsTheSystemClockWithinAFewMillisAndNeverGoesBack() throws InterruptedException {
        long prev = CoarseClock.millis();
        long deadline = System.nanoTime() + 200_000_000L;
        long worstLag = 0;
        while (System.nanoTime() < deadline) {
            long before = System.currentTimeMillis();
            long c = CoarseClock.millis();
            long after = System.currentTimeMillis();
            assertThat(c).isGreaterThanOrEqualTo(prev).isLessThanOrEqualTo(after);
            worstLag = Math.max(worstLag, before - c);
            prev = c;
        }
        // It moves: after 200 ms of reads the value is within reach of the system clock (the
        // bound is loose because this machine is shared; the point is that it is refreshed).
        assertThat(System.currentTimeMillis() - CoarseClock.millis()).isLessThan(150);
        assertThat(prev).isGreaterThan(System.currentTimeMillis() - 150);
        System.out.println("CoarseClock: worst lag seen " + worstLag + " ms");
    }

    @Test
    void theRefreshThreadStopsWhenNobodyReadsAndRestartsOnTheNextRead() throws InterruptedException {
        CoarseClock.millis();
        assertThat(CoarseClock.refreshing()).isTrue();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (CoarseClock.refreshing() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a condition with a deadline; nothing to synchronise with
        }
        assertThat(CoarseClock.refreshing()).as("stopped within 10 s of the last read").isFalse();
        long before = System.currentTimeMillis();
        long c = CoarseClock.millis();
        assertThat(c).isGreaterThanOrEqualTo(before); // a restart returns a fresh reading
        assertThat(CoarseClock.refreshing()).isTrue();
    }
}
