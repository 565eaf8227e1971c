package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The token bucket against an exact integer model (GCRA in units of ns x pps), with simulated
 * time: no clock, no sleeps. Rates divide 10^9 so the bucket's doubles are exact and the two must
 * agree to the token.
 */
class TokenBucketTest {
    private static final long ORIGIN = 5_000_000_000L;
    private static final long[] RATES = {1, 10, 1_000, 20_000, 50_000, 1_000_000};

    /** The reference: theoretical arrival time scaled by pps, so every quantity is an integer. */
    private static final class Model {
        final long pps;
        long tatScaled;

        Model(long pps) {
            this.pps = pps;
        }

        int available(long now, int max) {
            long t = (now - ORIGIN) * pps;
            long burst = Math.max(1, pps / 20) * 1_000_000_000L;
            tatScaled = Math.max(tatScaled, t - burst);
            long tokens = Math.floorDiv(t - tatScaled, 1_000_000_000L);
            return (int) Math.min(max, Math.max(0, tokens));
        }

        void consume(int n) {
            tatScaled += n * 1_000_000_000L;
        }
    }

    @Test
    void agreesWithTheIntegerModelUnderRandomTimeAndConsumption() {
        SplittableRandom random = new SplittableRandom(42);
        for (long pps : RATES) {
            TokenBucket bucket = new TokenBucket(ORIGIN);
            Model model = new Model(pps);
            long now = ORIGIN;
            for (int step = 0; step < 20_000; step++) {
                now += random.nextInt(4) == 0 ? random.nextLong(200_000_000L) : random.nextLong(2_000_000L);
                int max = 1 + random.nextInt(512);
                int got = bucket.available(now, pps, max);
                assertThat(got).as("pps %d step %d", pps, step).isEqualTo(model.available(now, max));
                int spend = got == 0 ? 0 : random.nextInt(got + 1);
                bucket.consume(spend, pps);
                model.consume(spend);
            }
        }
    }

    @Test
    void aGreedySenderKeepsTheLongRunRateExactly() {
        SplittableRandom random = new SplittableRandom(7);
        long pps = 20_000;
        TokenBucket bucket = new TokenBucket(ORIGIN);
        long now = ORIGIN;
        long sent = 0;
        long end = ORIGIN + 10_000_000_000L;
        while (now < end) {
            // a sender descheduled now and then for up to 40 ms (within the 50 ms carry-over)
            now = Math.min(end, now + (random.nextInt(50) == 0 ? random.nextLong(40_000_000L) : random.nextLong(300_000L)));
            int n = bucket.available(now, pps, Integer.MAX_VALUE);
            bucket.consume(n, pps);
            sent += n;
        }
        assertThat(sent).isEqualTo(10 * pps);
    }

    @Test
    void carriesOverAtMostFiftyMillisecondsOfUnusedTokens() {
        TokenBucket bucket = new TokenBucket(ORIGIN);
        assertThat(bucket.available(ORIGIN + 10_000_000_000L, 10_000, Integer.MAX_VALUE)).isEqualTo(500);
        assertThat(new TokenBucket(ORIGIN).available(ORIGIN + 10_000_000_000L, 10, Integer.MAX_VALUE))
                .as("at least one token carries over at low rates").isEqualTo(1);
    }

    @Test
    void startsEmptyAndIsUnlimitedAtRateZero() {
        TokenBucket bucket = new TokenBucket(ORIGIN);
        assertThat(bucket.available(ORIGIN, 1_000, 256)).isZero();
        assertThat(bucket.available(ORIGIN + 999_999, 1_000, 256)).isZero();
        assertThat(bucket.available(ORIGIN + 1_000_000, 1_000, 256)).isEqualTo(1);
        assertThat(bucket.available(ORIGIN, 0, 256)).isEqualTo(256);
        bucket.consume(1_000_000, 0);
        assertThat(bucket.available(ORIGIN, 0, 7)).isEqualTo(7);
    }

    @Test
    void nanosUntilNextPointsJustPastTheNextToken() {
        SplittableRandom random = new SplittableRandom(3);
        for (long pps : RATES) {
            TokenBucket bucket = new TokenBucket(ORIGIN);
            long now = ORIGIN;
            for (int i = 0; i < 1_000; i++) {
                now += random.nextLong(5_000_000L);
                bucket.consume(bucket.available(now, pps, Integer.MAX_VALUE), pps);
                long wait = bucket.nanosUntilNext(now, pps);
                assertThat(wait).isPositive();
                if (wait > 1) {
                    assertThat(bucket.available(now + wait - 2, pps, Integer.MAX_VALUE)).as("pps %d", pps).isZero();
                }
                assertThat(bucket.available(now + wait, pps, Integer.MAX_VALUE)).as("pps %d", pps).isEqualTo(1);
            }
        }
    }
}
