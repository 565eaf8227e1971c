package dev.netscan.discovery.monitor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late the scheduler's probes leave: since start, and over a recent window (the last 30 to
 * 60 s, two histograms that take turns), so a slow start does not hide the steady state.
 * Recording allocates nothing.
 *
 * <p>Threads: {@link #record} and {@link #publish} on the scheduler thread only (or the closer,
 * once it has ended); the published figures and {@link #latePings()} are read by anyone.
 */
final class Lateness {
    private static final long LATE_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RECENT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final LatencyHistogram sinceStart = new LatencyHistogram();
    /** {@code recent[current]} fills, the other holds the window before; the older is reset at each turn. */
    private final LatencyHistogram[] recent = {new LatencyHistogram(), new LatencyHistogram()};
    private int current;
    private long nextTurn;
    private boolean started;
    private final AtomicLong late = new AtomicLong();
    private volatile long p50Micros;
    private volatile long p99Micros;
    private volatile long maxMicros;
    private volatile long recentP99Micros;

    /** One probe that left {@code lateNanos} after its due time. */
    void record(long lateNanos) {
        long micros = lateNanos / 1_000;
        sinceStart.record(micros);
        recent[current].record(micros);
        if (lateNanos > LATE_THRESHOLD_NANOS) {
            late.incrementAndGet();
        }
    }

    /** Publishes the percentiles for readers, and turns the recent window when due ({@code now}: scheduler clock). */
    void publish(long now) {
        if (!started) {
            started = true;
            nextTurn = now + RECENT_WINDOW_NANOS;
        }
        p50Micros = sinceStart.percentile(50);
        p99Micros = sinceStart.percentile(99);
        maxMicros = sinceStart.max();
        recentP99Micros = recent[current].percentileWith(recent[1 - current], 99);
        if (now - nextTurn >= 0) {
            current = 1 - current;
            recent[current].reset();
            nextTurn = now + RECENT_WINDOW_NANOS;
        }
    }

    /** Probes that left more than 10 ms late. */
    long latePings() {
        return late.get();
    }

    long p50Micros() {
        return p50Micros;
    }

    long p99Micros() {
        return p99Micros;
    }

    long maxMicros() {
        return maxMicros;
    }

    long recentP99Micros() {
        return recentP99Micros;
    }
}
