package dev.netscan.bench.registry;

import it.unimi.dsi.fastutil.ints.Int2LongMap;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.objects.ObjectIterator;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A stronger naive baseline than {@link NaiveRegistry}: the same O(n) scan for the least recently
 * seen device, but over a primitive map (int address to last-seen millis), so the scan is as
 * cheap as a scan can be. It shows how much of the gain comes from the heap rather than from
 * dropping strings and objects. A baseline only.
 */
final class PrimitiveScanRegistry {
    private final Int2LongOpenHashMap lastSeen = new Int2LongOpenHashMap();
    private final ReentrantLock lock = new ReentrantLock();
    private final int maxDevices;
    private final LongSupplier clock;

    PrimitiveScanRegistry(int maxDevices, LongSupplier clock) {
        this.maxDevices = maxDevices;
        this.clock = clock;
    }

    void add(int ipv4) {
        lock.lock();
        try {
            long now = clock.getAsLong();
            if (lastSeen.containsKey(ipv4)) {
                lastSeen.put(ipv4, now);
                return;
            }
            if (lastSeen.size() >= maxDevices) {
                int oldest = 0;
                long oldestTime = Long.MAX_VALUE;
                ObjectIterator<Int2LongMap.Entry> it = lastSeen.int2LongEntrySet().fastIterator();
                while (it.hasNext()) {
                    Int2LongMap.Entry e = it.next();
                    if (e.getLongValue() < oldestTime) {
                        oldestTime = e.getLongValue();
                        oldest = e.getIntKey();
                    }
                }
                lastSeen.remove(oldest);
            }
            lastSeen.put(ipv4, now);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return lastSeen.size();
    }
}
