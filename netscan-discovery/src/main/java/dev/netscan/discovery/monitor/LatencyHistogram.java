package dev.netscan.discovery.monitor;

/**
 * A fixed-memory log-linear histogram of non-negative durations in microseconds (about 3%
 * relative precision, range up to ~2^40 us), for lateness percentiles. Recording allocates
 * nothing.
 *
 * <p>Not thread-safe: one writer; readers call {@link #copyInto} from the same thread or accept a
 * torn read (values are counters, each read atomically).
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5; // 32 sub-buckets per power of two
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAGNITUDES = 41;
    private final long[] counts = new long[(MAGNITUDES + 1) * SUB];
    private long total;
    private long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at or below which {@code percentile} percent of recordings fall (upper bucket edge). */
    long percentile(double percentile) {
        return percentile(this, null, percentile);
    }

    /**
     * The value at or below which {@code percentile} percent of the recordings of this histogram
     * and {@code other} together fall (upper bucket edge); allocates nothing.
     */
    long percentileWith(LatencyHistogram other, double percentile) {
        return percentile(this, other, percentile);
    }

    private static long percentile(LatencyHistogram a, LatencyHistogram b, double percentile) {
        long all = a.total + (b == null ? 0 : b.total);
        long top = b == null ? a.max : Math.max(a.max, b.max);
        if (all == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * all);
        rank = Math.max(1, Math.min(all, rank));
        long seen = 0;
        for (int i = 0; i < a.counts.length; i++) {
            seen += a.counts[i] + (b == null ? 0 : b.counts[i]);
            if (seen >= rank) {
                return Math.min(top, upperEdge(i));
            }
        }
        return top;
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS + 1; // >= 1
        if (magnitude > MAGNITUDES) {
            return (MAGNITUDES + 1) * SUB - 1;
        }
        int sub = (int) (v >>> (magnitude - 1)) - SUB; // 0..SUB-1
        return magnitude * SUB + sub;
    }

    static long upperEdge(int index) {
        int magnitude = index / SUB;
        int sub = index % SUB;
        if (magnitude == 0) {
            return sub;
        }
        return ((long) (sub + SUB + 1) << (magnitude - 1)) - 1;
    }
}
