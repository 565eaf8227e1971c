package dev.netscan.bench.registry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/**
 * The "before" of shared/reference/001 section 1.1, ported to Java as written there: devices in a
 * map keyed by the address as text, one object per device, and when full a scan of every device
 * to find the least recently seen; the suspended count is a scan too (section 1.2). A baseline
 * only: never use it.
 */
final class NaiveRegistry {
    /** One device, mutable, like the Go struct. */
    static final class Entry {
        final String ip;
        long lastSeen;
        long suspendedUntil;

        Entry(String ip, long lastSeen) {
            this.ip = ip;
            this.lastSeen = lastSeen;
        }
    }

    private final Map<String, Entry> devices = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int maxDevices;
    private final LongSupplier clock;

    NaiveRegistry(int maxDevices, LongSupplier clock) {
        this.maxDevices = maxDevices;
        this.clock = clock;
    }

    void add(String ip) {
        lock.writeLock().lock();
        try {
            long now = clock.getAsLong();
            Entry e = devices.get(ip);
            if (e != null) {
                e.lastSeen = now;
                return;
            }
            if (devices.size() >= maxDevices) {
                String oldestIp = null;
                long oldestTime = 0;
                boolean first = true;
                for (Entry d : devices.values()) { // O(n): the problem the reference fixed
                    if (first || d.lastSeen < oldestTime) {
                        oldestIp = d.ip;
                        oldestTime = d.lastSeen;
                        first = false;
                    }
                }
                devices.remove(oldestIp);
            }
            devices.put(ip, new Entry(ip, now));
        } finally {
            lock.writeLock().unlock();
        }
    }

    void suspend(String ip, long until) {
        lock.writeLock().lock();
        try {
            Entry e = devices.get(ip);
            if (e != null) {
                e.suspendedUntil = until;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    int suspendedCount() {
        lock.readLock().lock();
        try {
            int count = 0;
            long now = clock.getAsLong();
            for (Entry d : devices.values()) { // O(n)
                if (d.suspendedUntil != 0 && now < d.suspendedUntil) {
                    count++;
                }
            }
            return count;
        } finally {
            lock.readLock().unlock();
        }
    }

    int size() {
        return devices.size();
    }
}
