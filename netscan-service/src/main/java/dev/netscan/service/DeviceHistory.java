package dev.netscan.service;

import dev.netscan.core.PingResult;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the operator's surface shows per device that the registry does not keep: the last probe
 * outcome and RTT, a ring of the last hour in one-minute buckets (probes, losses, RTT sum), and
 * the RTT histogram behind {@code /metrics} (all devices together, and per device when per-device
 * series are on).
 *
 * <p>Memory is bounded by the number of tracked devices (the registry's, since only scheduled
 * devices are probed): 60 buckets x 3 ints (720 bytes) + 40 bytes a device, plus 8 bytes a
 * histogram bucket when per-device series are on: about 15 MB at 20,000 devices, 17 MB with
 * per-device histograms.
 *
 * <p>Local outcomes ({@link PingResult.Outcome#ERROR}: the probe was never sent) are not a device's
 * loss and are not recorded. Thread-safe: one lock, held for a few array writes per probe;
 * {@link #record} allocates nothing once a device has its slot (slots are reused after
 * {@link #forget}).
 */
final class DeviceHistory {
    /** Minutes kept per device. */
    static final int MINUTES = 60;
    /** Upper bounds of the RTT histogram buckets, in seconds (the last, +Inf, is implicit). */
    static final double[] RTT_BOUNDS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final int NB = RTT_BOUNDS_SECONDS.length + 1;
    private static final long[] RTT_BOUNDS_NANOS = new long[RTT_BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < RTT_BOUNDS_SECONDS.length; i++) {
            RTT_BOUNDS_NANOS[i] = Math.round(RTT_BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final boolean perDeviceHistogram;
    private final ReentrantLock lock = new ReentrantLock();
    // everything below is guarded by lock
    private final Int2IntOpenHashMap slots = new Int2IntOpenHashMap();
    private final IntArrayList free = new IntArrayList();
    private int nextSlot;
    private int[] ipOf = new int[0];
    private long[] lastRttNanos = new long[0];        // -1 when the last probe got no reply
    private long[] lastProbeMillis = new long[0];
    private int[] lastMinute = new int[0];            // minute (since the epoch) last written
    private int[] ring = new int[0];                  // slot * MINUTES * 3 + (minute % 60) * 3 + {sent, lost, rttSumMicros}
    private long[] deviceBuckets = new long[0];       // slot * NB + bucket (not cumulative); only when perDeviceHistogram
    private double[] deviceRttSumSeconds = new double[0];
    private long[] deviceRequests = new long[0];
    private long[] deviceLost = new long[0];
    private final long[] totalBuckets = new long[NB];
    private double totalRttSumSeconds;

    DeviceHistory(boolean perDeviceHistogram) {
        this.perDeviceHistogram = perDeviceHistogram;
        slots.defaultReturnValue(-1);
    }

    /** True when per-device RTT histograms are kept. */
    boolean perDevice() {
        return perDeviceHistogram;
    }

    /** Records one probe outcome; local outcomes are ignored. */
    void record(PingResult r) {
        if (r.outcome() == PingResult.Outcome.ERROR) {
            return;
        }
        long atMillis = r.sentAtEpochNanos() / 1_000_000;
        int minute = (int) (atMillis / 60_000);
        boolean reply = r.success();
        lock.lock();
        try {
            int s = slots.get(r.ipv4());
            if (s < 0) {
                s = allocate(r.ipv4());
            }
            if (atMillis >= lastProbeMillis[s]) {
                lastProbeMillis[s] = atMillis;
                lastRttNanos[s] = reply ? r.rttNanos() : -1;
            }
            advance(s, minute);
            int at = s * MINUTES * 3 + Math.floorMod(minute, MINUTES) * 3;
            if (minute > lastMinute[s] - MINUTES) { // older than the ring: not kept
                ring[at]++;
                if (reply) {
                    ring[at + 2] = (int) Math.min(Integer.MAX_VALUE, ring[at + 2] + r.rttNanos() / 1_000);
                } else {
                    ring[at + 1]++;
                }
            }
            deviceRequests[s]++;
            if (reply) {
                int b = bucket(r.rttNanos());
                double sec = r.rttNanos() / 1e9;
                totalBuckets[b]++;
                totalRttSumSeconds += sec;
                if (perDeviceHistogram) {
                    deviceBuckets[s * NB + b]++;
                    deviceRttSumSeconds[s] += sec;
                }
            } else {
                deviceLost[s]++;
            }
        } finally {
            lock.unlock();
        }
    }

    private static int bucket(long rttNanos) {
        for (int i = 0; i < RTT_BOUNDS_NANOS.length; i++) {
            if (rttNanos <= RTT_BOUNDS_NANOS[i]) {
                return i;
            }
        }
        return NB - 1;
    }

    /** Clears the ring buckets between the slot's last written minute and {@code minute}. */
    private void advance(int s, int minute) {
        int last = lastMinute[s];
        if (minute <= last) {
            return;
        }
        int base = s * MINUTES * 3;
        if (minute - last >= MINUTES) {
            Arrays.fill(ring, base, base + MINUTES * 3, 0);
        } else {
            for (int m = last + 1; m <= minute; m++) {
                int at = base + Math.floorMod(m, MINUTES) * 3;
                ring[at] = 0;
                ring[at + 1] = 0;
                ring[at + 2] = 0;
            }
        }
        lastMinute[s] = minute;
    }

    private int allocate(int ipv4) {
        int s;
        if (!free.isEmpty()) {
            s = free.popInt();
        } else {
            s = nextSlot++;
            if (s >= ipOf.length) {
                grow(Math.max(64, ipOf.length * 2));
            }
        }
        slots.put(ipv4, s);
        ipOf[s] = ipv4;
        lastRttNanos[s] = -1;
        lastProbeMillis[s] = 0;
        lastMinute[s] = Integer.MIN_VALUE / 2;
        Arrays.fill(ring, s * MINUTES * 3, (s + 1) * MINUTES * 3, 0);
        deviceRequests[s] = 0;
        deviceLost[s] = 0;
        if (perDeviceHistogram) {
            Arrays.fill(deviceBuckets, s * NB, (s + 1) * NB, 0);
            deviceRttSumSeconds[s] = 0;
        }
        return s;
    }

    private void grow(int n) {
        ipOf = Arrays.copyOf(ipOf, n);
        lastRttNanos = Arrays.copyOf(lastRttNanos, n);
        lastProbeMillis = Arrays.copyOf(lastProbeMillis, n);
        lastMinute = Arrays.copyOf(lastMinute, n);
        ring = Arrays.copyOf(ring, n * MINUTES * 3);
        deviceRequests = Arrays.copyOf(deviceRequests, n);
        deviceLost = Arrays.copyOf(deviceLost, n);
        if (perDeviceHistogram) {
            deviceBuckets = Arrays.copyOf(deviceBuckets, n * NB);
            deviceRttSumSeconds = Arrays.copyOf(deviceRttSumSeconds, n);
        }
    }

    /** Drops what is kept about a device (it left the registry); its slot is reused. */
    void forget(int ipv4) {
        lock.lock();
        try {
            int s = slots.remove(ipv4);
            if (s >= 0) {
                free.add(s);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Number of devices with a slot. */
    int size() {
        lock.lock();
        try {
            return slots.size();
        } finally {
            lock.unlock();
        }
    }

    /** The last outcome of one device: RTT of the last probe in nanoseconds (-1 lost) and when it was sent. */
    record Last(long rttNanos, long probeEpochMillis, double lossLastMinutes) {}

    /**
     * The last probe and the loss ratio over the last {@code minutes} minutes of one device, or
     * null when it has no probe recorded.
     */
    Last last(int ipv4, long nowEpochMillis, int minutes) {
        lock.lock();
        try {
            int s = slots.get(ipv4);
            if (s < 0) {
                return null;
            }
            return new Last(lastRttNanos[s], lastProbeMillis[s], loss(s, (int) (nowEpochMillis / 60_000), minutes));
        } finally {
            lock.unlock();
        }
    }

    /** Index in {@code ring} of minute {@code m} of slot {@code s}, or -1 when the ring does not hold it. */
    private int ringAt(int s, int m) {
        if (m > lastMinute[s] || m <= lastMinute[s] - MINUTES) {
            return -1;
        }
        return s * MINUTES * 3 + Math.floorMod(m, MINUTES) * 3;
    }

    /** Lost / probes of slot {@code s} over the {@code minutes} minutes up to {@code now}, NaN without probes. */
    private double loss(int s, int now, int minutes) {
        long sent = 0;
        long lost = 0;
        for (int m = now - minutes + 1; m <= now; m++) {
            int at = ringAt(s, m);
            if (at >= 0) {
                sent += ring[at];
                lost += ring[at + 1];
            }
        }
        return sent == 0 ? Double.NaN : (double) lost / sent;
    }

    /** One minute of one device: probes, losses, mean RTT in seconds (NaN without replies). */
    record Minute(long startEpochMillis, int probes, int lost, double meanRttSeconds) {}

    /** The last hour of one device, oldest minute first, minutes without probes left out; null when unknown. */
    Minute[] lastHour(int ipv4, long nowEpochMillis) {
        lock.lock();
        try {
            int s = slots.get(ipv4);
            if (s < 0) {
                return null;
            }
            int now = (int) (nowEpochMillis / 60_000);
            Minute[] out = new Minute[MINUTES];
            int n = 0;
            for (int m = now - MINUTES + 1; m <= now; m++) {
                int at = ringAt(s, m);
                int sent = at < 0 ? 0 : ring[at];
                if (sent == 0) {
                    continue;
                }
                int lost = ring[at + 1];
                int replies = sent - lost;
                out[n++] = new Minute(m * 60_000L, sent, lost, replies == 0 ? Double.NaN : ring[at + 2] / 1e6 / replies);
            }
            return Arrays.copyOf(out, n);
        } finally {
            lock.unlock();
        }
    }

    /** A histogram: counts per bucket of {@link #RTT_BOUNDS_SECONDS} plus +Inf (not cumulative), and the sum. */
    record Histogram(long[] counts, double sumSeconds) {
        long count() {
            long c = 0;
            for (long v : counts) {
                c += v;
            }
            return c;
        }
    }

    /** The RTT histogram of every reply so far. */
    Histogram total() {
        lock.lock();
        try {
            return new Histogram(totalBuckets.clone(), totalRttSumSeconds);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Per-device counters copied at one moment (the lock is held only for the copy). Index
     * {@code i} of every array is one device; {@code buckets} ({@code i * buckets() + b}) and
     * {@code rttSumSeconds} are null unless per-device histograms are on.
     */
    record Devices(int[] ipv4, long[] requests, long[] lost, long[] lastRttNanos, long[] lastProbeMillis, double[] recentLoss,
            long[] buckets, double[] rttSumSeconds) {
        int size() {
            return ipv4.length;
        }

        static int bucketsPerDevice() {
            return NB;
        }
    }

    /** Minutes {@link Devices#recentLoss()} covers. */
    static final int RECENT_MINUTES = 5;

    /** Copies every tracked device's counters; {@code recentLoss} covers the last {@link #RECENT_MINUTES} minutes. */
    Devices devices(long nowEpochMillis) {
        int now = (int) (nowEpochMillis / 60_000);
        lock.lock();
        try {
            int n = slots.size();
            int[] ips = new int[n];
            long[] req = new long[n];
            long[] lost = new long[n];
            long[] rtt = new long[n];
            long[] probed = new long[n];
            double[] loss = new double[n];
            long[] buckets = perDeviceHistogram ? new long[n * NB] : null;
            double[] sums = perDeviceHistogram ? new double[n] : null;
            int i = 0;
            for (int s = 0; s < nextSlot && i < n; s++) {
                if (slots.get(ipOf[s]) != s) {
                    continue; // freed
                }
                ips[i] = ipOf[s];
                req[i] = deviceRequests[s];
                lost[i] = deviceLost[s];
                rtt[i] = lastRttNanos[s];
                probed[i] = lastProbeMillis[s];
                loss[i] = loss(s, now, RECENT_MINUTES);
                if (perDeviceHistogram) {
                    System.arraycopy(deviceBuckets, s * NB, buckets, i * NB, NB);
                    sums[i] = deviceRttSumSeconds[s];
                }
                i++;
            }
            return new Devices(ips, req, lost, rtt, probed, loss, buckets, sums);
        } finally {
            lock.unlock();
        }
    }
}
