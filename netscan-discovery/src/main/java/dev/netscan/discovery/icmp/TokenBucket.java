package dev.netscan.discovery.icmp;

/**
 * The sender's rate limit: a token bucket kept as a theoretical arrival time (GCRA), with
 * nanosecond precision and up to 50 ms of unused tokens carried over, so a sender descheduled for
 * a few tens of milliseconds catches up and the long-run rate stays exact. Time is an argument
 * ({@code nowNanos} on the {@link System#nanoTime()} scale), never read here, so the bucket is
 * tested without a clock. Package-private: a part of {@link Transceiver}.
 *
 * <p>The rate is an argument too: the caller reads its (changeable) limit once per round and
 * passes the same value to {@link #available} and {@link #consume}. A rate of 0 means unlimited.
 *
 * <p>Not thread-safe: owned by the sender thread.
 */
final class TokenBucket {
    private final long originNanos;
    /** Theoretical send time of the next packet, in ns since {@link #originNanos}. */
    private double tat;

    /** A bucket whose time starts at {@code originNanos}, with no tokens yet. */
    TokenBucket(long originNanos) {
        this.originNanos = originNanos;
    }

    /** Packets that may be sent at {@code nowNanos} at {@code pps}, at most {@code max}; {@code max} when unlimited. */
    int available(long nowNanos, long pps, int max) {
        if (pps <= 0) {
            return max;
        }
        double interval = 1e9 / pps;
        double t = nowNanos - originNanos;
        double burst = Math.max(1, pps / 20) * interval;
        if (tat < t - burst) {
            tat = t - burst;
        }
        long tokens = (long) ((t - tat) / interval);
        return (int) Math.min(max, Math.max(0, tokens));
    }

    /** Spends {@code packets} tokens at {@code pps} (nothing when unlimited). */
    void consume(int packets, long pps) {
        if (pps > 0) {
            tat += packets * (1e9 / pps);
        }
    }

    /** Nanoseconds from {@code nowNanos} until the next token at {@code pps} (at least 1 ns later than exact). */
    long nanosUntilNext(long nowNanos, long pps) {
        double t = nowNanos - originNanos;
        return (long) (tat + 1e9 / pps - t) + 1;
    }
}
