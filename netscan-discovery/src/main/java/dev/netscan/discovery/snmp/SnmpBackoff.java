package dev.netscan.discovery.snmp;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayFIFOQueue;
import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;

/**
 * Per-device failure streaks and suspensions (a circuit breaker per device), in primitive maps.
 *
 * <p>A device is suspended when its streak of consecutive failures reaches {@code maxFails}; it
 * stays suspended for {@code backoffNanos}. When that time has passed it may be asked again once
 * (half-open): a success clears its record, a failure suspends it again at once. The suspended
 * count is exact at the given time: an expired suspension stops counting the moment it expires.
 *
 * <p>Expiry order: every suspension lasts the same {@code backoffNanos} and times come from a
 * monotonic clock, so suspensions expire in the order they were made; a FIFO of (time, device)
 * is enough to retire them, and each suspension is retired once (amortised O(1)). A device
 * suspended again or forgotten leaves a stale FIFO entry that is skipped when reached.
 *
 * <p>Thread-safe: every method holds this object's monitor for a few map operations.
 * Times are {@code System.nanoTime()}-style values from the caller's clock.
 */
final class SnmpBackoff {
    private final int maxFails;
    private final long backoffNanos;
    /** Consecutive failures per device, capped at maxFails; absent = 0. Guarded by this. */
    private final Int2IntOpenHashMap streak = new Int2IntOpenHashMap();
    /** Suspension end per suspended device. Guarded by this. */
    private final Int2LongOpenHashMap suspendedUntil = new Int2LongOpenHashMap();
    /** Suspensions in the order they end. Guarded by this. */
    private final IntArrayFIFOQueue expiryDevices = new IntArrayFIFOQueue();
    private final LongArrayFIFOQueue expiryTimes = new LongArrayFIFOQueue();

    SnmpBackoff(int maxFails, long backoffNanos) {
        if (maxFails < 1 || backoffNanos < 1) {
            throw new IllegalArgumentException("maxFails " + maxFails + " and backoffNanos " + backoffNanos + " must be positive");
        }
        this.maxFails = maxFails;
        this.backoffNanos = backoffNanos;
    }

    /** True while the device is suspended at {@code nowNanos}. */
    synchronized boolean isSuspended(int ipv4, long nowNanos) {
        retire(nowNanos);
        return suspendedUntil.containsKey(ipv4);
    }

    /** Clears the device's streak (and any suspension). */
    synchronized void recordSuccess(int ipv4) {
        streak.remove(ipv4);
        suspendedUntil.remove(ipv4);
    }

    /**
     * Counts a failure; suspends the device when its streak reaches the limit.
     *
     * @return true when this failure suspended the device
     */
    synchronized boolean recordFailure(int ipv4, long nowNanos) {
        retire(nowNanos);
        int s = Math.min(streak.get(ipv4) + 1, maxFails);
        streak.put(ipv4, s);
        if (s < maxFails || suspendedUntil.containsKey(ipv4)) {
            return false;
        }
        long until = nowNanos + backoffNanos;
        suspendedUntil.put(ipv4, until);
        expiryDevices.enqueue(ipv4);
        expiryTimes.enqueue(until);
        return true;
    }

    /** Forgets the device entirely (it left the registry). */
    synchronized void forget(int ipv4) {
        streak.remove(ipv4);
        suspendedUntil.remove(ipv4);
    }

    /** Devices suspended at {@code nowNanos}, exactly. */
    synchronized int suspendedCount(long nowNanos) {
        retire(nowNanos);
        return suspendedUntil.size();
    }

    /** The device's current streak of consecutive failures (capped at maxFails). */
    synchronized int failStreak(int ipv4) {
        return streak.get(ipv4);
    }

    /** Devices with a record (a streak or a suspension): the memory this holds. */
    synchronized int trackedCount() {
        return streak.size();
    }

    private void retire(long nowNanos) {
        while (!expiryTimes.isEmpty() && expiryTimes.firstLong() - nowNanos <= 0) {
            long until = expiryTimes.dequeueLong();
            int ipv4 = expiryDevices.dequeueInt();
            if (suspendedUntil.containsKey(ipv4) && suspendedUntil.get(ipv4) == until) {
                suspendedUntil.remove(ipv4);
            }
        }
    }
}
