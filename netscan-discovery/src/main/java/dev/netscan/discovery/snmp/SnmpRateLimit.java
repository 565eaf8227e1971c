package dev.netscan.discovery.snmp;

/**
 * A token bucket for query starts: {@code ratePerSecond} tokens a second, at most {@code burst}
 * saved up (the bucket starts full). What the Go service's {@code snmp_rate_limit} /
 * {@code snmp_burst_limit} mean, applied to device queries started.
 *
 * <p>Not thread-safe: the scanner calls it under its lock. Time is the caller's monotonic
 * nanoseconds, passed in, so the model test needs no clock.
 */
final class SnmpRateLimit {
    private final double nanosPerToken;
    private final double burst;
    /** Tokens saved up at {@link #lastNanos}, 0..burst. */
    private double tokens;
    private long lastNanos;

    SnmpRateLimit(double ratePerSecond, int burst, long nowNanos) {
        if (!(ratePerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + "/s and burst " + burst + " must be positive");
        }
        this.nanosPerToken = 1e9 / ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /**
     * Takes one token if there is one.
     *
     * @return 0 when a token was taken; otherwise the nanoseconds until one is due (at least 1)
     */
    long tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed / nanosPerToken);
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) * nanosPerToken));
    }
}
