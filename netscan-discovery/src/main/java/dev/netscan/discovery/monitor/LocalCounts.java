package dev.netscan.discovery.monitor;

import dev.netscan.core.LocalOutcome;

/**
 * Monitoring probes that ended in a {@link LocalOutcome}, by cause ({@link PingScheduler.Counters#local()}):
 * an immutable snapshot.
 *
 * @param byCause counts indexed by {@link LocalOutcome#ordinal()} (a private copy)
 */
public record LocalCounts(long[] byCause) {
    public LocalCounts {
        byCause = byCause.clone();
    }

    /** Probes that ended in {@code cause}. */
    public long get(LocalOutcome cause) {
        return byCause[cause.ordinal()];
    }

    /** Probes that ended in any local outcome. */
    public long total() {
        long t = 0;
        for (long v : byCause) {
            t += v;
        }
        return t;
    }
}
