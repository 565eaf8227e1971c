package dev.netscan.discovery.monitor;

import dev.netscan.core.PingStats;
import java.util.Arrays;

/**
 * Per-device ping statistics over tumbling windows of {@code pingsPerWindow} probes, in
 * struct-of-arrays form indexed by scheduler slot. Updating a slot allocates nothing; only a
 * completed window allocates its {@link PingStats} record.
 *
 * <p>Owned by the scheduler thread; not thread-safe.
 */
final class RollingStats {
    private final int samplesPerWindow;
    private int[] sent = new int[0];
    private int[] received = new int[0];
    /** Probes of the window that ended in a local outcome (not in {@code sent}, never loss). */
    private int[] local = new int[0];
    private float[] rtts = new float[0]; // samplesPerWindow per slot, milliseconds
    private float[] lastRtt = new float[0];
    private double[] jitterSum = new double[0];
    private int[] jitterCount = new int[0];
    private final float[] scratch;

    RollingStats(int samplesPerWindow) {
        this.samplesPerWindow = Math.max(1, samplesPerWindow);
        this.scratch = new float[this.samplesPerWindow];
    }

    int samplesPerWindow() {
        return samplesPerWindow;
    }

    void ensureCapacity(int slots) {
        if (slots <= sent.length) {
            return;
        }
        int n = Math.max(slots, sent.length * 2);
        sent = Arrays.copyOf(sent, n);
        received = Arrays.copyOf(received, n);
        local = Arrays.copyOf(local, n);
        rtts = Arrays.copyOf(rtts, n * samplesPerWindow);
        lastRtt = Arrays.copyOf(lastRtt, n);
        jitterSum = Arrays.copyOf(jitterSum, n);
        jitterCount = Arrays.copyOf(jitterCount, n);
    }

    void clear(int slot) {
        sent[slot] = 0;
        received[slot] = 0;
        local[slot] = 0;
        lastRtt[slot] = Float.NaN;
        jitterSum[slot] = 0;
        jitterCount[slot] = 0;
    }

    /**
     * Adds one probe's outcome; returns true when this completed the window (the caller then
     * calls {@link #finish}).
     */
    boolean add(int slot, boolean reply, double rttMillis) {
        if (reply) {
            rtts[slot * samplesPerWindow + received[slot]] = (float) rttMillis;
            received[slot]++;
            float prev = lastRtt[slot];
            if (!Float.isNaN(prev)) {
                jitterSum[slot] += Math.abs(rttMillis - prev);
                jitterCount[slot]++;
            }
            lastRtt[slot] = (float) rttMillis;
        }
        sent[slot]++;
        return sent[slot] + local[slot] >= samplesPerWindow;
    }

    /**
     * Adds a probe that ended in a local outcome: it takes its place in the window but not in
     * {@code sent} or the loss. Returns true when this completed the window.
     */
    boolean addLocal(int slot) {
        local[slot]++;
        return sent[slot] + local[slot] >= samplesPerWindow;
    }

    int sent(int slot) {
        return sent[slot];
    }

    /** Builds the window's statistics and starts a new window for the slot. */
    PingStats finish(int slot, int ipv4, long windowEndEpochNanos, long windowNanos) {
        int s = sent[slot];
        int r = received[slot];
        double min = Double.NaN;
        double max = Double.NaN;
        double avg = Double.NaN;
        double stddev = Double.NaN;
        double p95 = Double.NaN;
        if (r > 0) {
            int base = slot * samplesPerWindow;
            double sum = 0;
            min = Double.MAX_VALUE;
            max = -Double.MAX_VALUE;
            for (int i = 0; i < r; i++) {
                float v = rtts[base + i];
                scratch[i] = v;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            avg = sum / r;
            double sq = 0;
            for (int i = 0; i < r; i++) {
                double d = scratch[i] - avg;
                sq += d * d;
            }
            stddev = Math.sqrt(sq / r);
            Arrays.sort(scratch, 0, r);
            int rank = (int) Math.ceil(0.95 * r) - 1; // nearest-rank
            p95 = scratch[Math.max(0, rank)];
        }
        double jitter = jitterCount[slot] > 0 ? jitterSum[slot] / jitterCount[slot] : Double.NaN;
        double loss = s == 0 ? 0 : 100.0 * (s - r) / s;
        PingStats stats = new PingStats(ipv4, windowEndEpochNanos, windowNanos, s, r, loss, min, avg, max, stddev,
                jitter, p95, local[slot]);
        clear(slot);
        return stats;
    }
}
