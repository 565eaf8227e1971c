package dev.netscan.state;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.Device;
import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.ints.IntLists;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The single source of truth for the devices netscan knows, keyed by IPv4 address as an
 * {@code int}.
 *
 * <h2>What it keeps</h2>
 * Per device: first and last seen (wall-clock epoch milliseconds from the injected clock), the
 * SNMP identity and when it was learnt, the latest ping-statistics window, and the circuit
 * breaker's state (consecutive failures, suspension end, suspensions in a row). Readers get
 * immutable {@link Device} snapshots, never live internals.
 *
 * <h2>Capacity</h2>
 * At most {@code maxDevices} devices. Adding a new device when full evicts the one least
 * recently seen (among devices last seen in the same millisecond, which one is unspecified). The
 * eviction order is a list sorted by last-seen time, to which a device just seen is appended, so
 * adding, touching and evicting are O(1) while times arrive in order (the wall clock, reply
 * timestamps); a time earlier than the latest one seen (a late caller-supplied timestamp, the
 * wall clock stepping back) puts that device in an indexed min-heap instead, O(log n). Last-seen
 * never moves backwards for a device, even if the wall clock does.
 * State is held as primitive arrays indexed by a dense slot number (an open-addressing map with
 * the address and the slot packed in one {@code long} per entry finds the slot), one 64-byte
 * stretch per device, so a million devices cost about 110 MB and no object per device.
 * For large registries (hundreds of thousands of devices) start the JVM with
 * {@code -XX:+UseTransparentHugePages}: the arrays then no longer fit in the caches, and with the
 * default 4 KB pages a random access can also miss the TLB. Most kernels offer transparent huge
 * pages only on request ({@code madvise}), which is what the flag does; where they are off the
 * JVM logs a warning and runs without them. (Measured on an x86 VM, docs/bench/registry.md: it
 * took 40% off an add at a million devices with an earlier layout that sifted through a heap;
 * with the current one, whose add touches few lines, the difference was within the noise.)
 *
 * <h2>Circuit breaker</h2>
 * After {@code failureThreshold} consecutive failed pings a device is suspended for
 * {@code suspendBase}; each further suspension in a row doubles that, up to {@code suspendMax}.
 * When a suspension ends the breaker is half-open: the next ping decides (a failure suspends it
 * again with the doubled backoff, a success closes it). A successful ping clears the failure
 * streak, the suspension and the doubling.
 *
 * <h2>Suspended count: exactness</h2>
 * {@link #suspendedCount()} is one volatile read. Suspensions leave the count when they end,
 * whoever is looking: every operation that takes the lock first applies the suspensions that
 * ended by its clock reading, {@link #processExpiries()} does only that, and an expiry timer (a
 * virtual thread, started at the first suspension unless disabled in the builder) sleeps until
 * the earliest end and applies it then. So the count read at any moment equals the number of
 * devices whose suspension has not ended, except during the timer's wake-up latency after an end
 * (typically well under a millisecond, plus the millisecond resolution of the clock) when no
 * other operation happened meanwhile. With an injected fake clock, disable the timer and call
 * {@link #processExpiries()} after advancing time; the count is then exact at every step.
 *
 * <h2>Thread safety</h2>
 * All methods are safe to call from any thread. Mutations and lookups run under one
 * {@link ReentrantLock} with critical sections of a few dozen nanoseconds (no allocation, no
 * I/O inside); {@link #size()}, {@link #suspendedCount()} and {@link #modCount()} read volatile
 * fields without the lock. Listener calls happen under the lock (see {@link RegistryListener}).
 * The hot paths ({@link #add(int)}, {@link #touch(int)}, {@link #recordPingSuccess(int)},
 * {@link #recordPingFailure(int)}, {@link #lastSeen(int)}, {@link #contains(int)},
 * {@link #isSuspended(int)}) allocate nothing once the arrays have grown to the device count;
 * {@link #get(int)} allocates one {@link Device} only the first time a device is read after it
 * changed. Each hot path has an overload taking the time from the caller (who usually has the
 * reply's timestamp anyway), which saves the clock read, a third of the cost of an update.
 *
 * <p>{@link #close()} stops the expiry timer; the registry stays usable afterwards, with expiries
 * applied only when an operation observes them.
 */
public final class DeviceRegistry implements AutoCloseable {

    /** What {@link #lastSeen(int)} and the other per-device accessors return for an unknown device. */
    public static final long NOT_FOUND = -1L;

    private static final int NO_SLOT = -1;
    private static final VarHandle MOD_COUNT;

    static {
        try {
            MOD_COUNT = MethodHandles.lookup().findVarHandle(DeviceRegistry.class, "modCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final int INITIAL_SLOTS = 1024;
    private static final Duration MAX_SUSPENSION = Duration.ofDays(365);

    private static final int D_SHIFT = 3;
    private static final int D_LAST_SEEN = 0;
    private static final int D_FIRST_SEEN = 1;
    private static final int D_SNMP_UPDATED = 2;
    /** End of the current suspension; 0 when not suspended, non-zero exactly when in byExpiry. */
    private static final int D_SUSPENDED_UNTIL = 3;
    private static final int D_IPV4 = 4;
    private static final int D_STREAK = 5;
    private static final int D_SUSPENSIONS = 6;
    private static final int D_FLAGS = 7;
    private static final long F_SNMP = 1;
    private static final long F_STATS = 2;
    private static final int R_SHIFT = 2;
    private static final int R_SNMP = 0;
    private static final int R_STATS = 1;
    private static final int R_CACHED = 2;

    private final int maxDevices;
    private final int failureThreshold;
    private final long suspendBaseMillis;
    private final long suspendMaxMillis;
    private final LongSupplier clock;
    private final RegistryListener listener;
    private final boolean expiryTimer;

    /** Guards every field below that is not volatile. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled (under lock) when the earliest suspension end moves earlier, or on close. */
    private final Condition expiryChanged = lock.newCondition();

    // Struct of arrays indexed by slot. Slots 0..size-1 are in use, densely: removing a device
    // moves the last slot into the hole, so the addresses are one contiguous array. Written and
    // read under lock only.
    private final IntSlotMap slotOf;
    /**
     * Eight longs per slot, so that everything an add, a touch or a ping result changes is one
     * 64-byte stretch of memory (a million devices do not fit in cache; a cache miss costs more
     * than the rest of the operation): see the {@code D_*} offsets. Times are epoch millis.
     */
    private long[] data;
    /**
     * Four references per slot: [R_SNMP] SnmpInfo (valid when F_SNMP is set), [R_STATS]
     * PingStats (valid when F_STATS is set), [R_CACHED] the Device snapshot handed out last
     * (valid when it still equals the slot's data; checked on read, so writers never touch this
     * array), [3] unused. Stale references of a reused slot are ignored, and dropped when
     * overwritten or when the slot is removed.
     */
    private Object[] refs;
    /** Every slot in use, ordered by last-seen epoch millis: the eviction order. */
    private final SeenOrder bySeen;
    /** The suspended slots, keyed by suspension end. */
    private final SlotHeap byExpiry;

    /** Devices in use. Written under lock; read without it by {@link #size()}. */
    private volatile int size;
    /** byExpiry.size(), published for lock-free reads. Written under lock. */
    private volatile int suspendedCount;
    /** Bumped under lock on every change of membership or suspension state. */
    private volatile long modCount;
    /** Listener exceptions swallowed. Written under lock. */
    private volatile long listenerFailures;

    /** Guarded by lock. */
    private Thread timer;
    /** Guarded by lock. */
    private boolean closed;

    private DeviceRegistry(Builder b) {
        this.maxDevices = b.maxDevices;
        this.failureThreshold = b.failureThreshold;
        this.suspendBaseMillis = b.suspendBase.toMillis();
        this.suspendMaxMillis = b.suspendMax.toMillis();
        this.clock = b.clock;
        this.listener = b.listener;
        this.expiryTimer = b.expiryTimer;
        int initial = Math.min(maxDevices, INITIAL_SLOTS);
        // At most half full: short probe runs (docs/bench/registry.md).
        this.slotOf = new IntSlotMap(initial);
        this.data = new long[initial << D_SHIFT];
        this.refs = new Object[initial << R_SHIFT];
        long now = clock.getAsLong();
        // Last-seen keys: a window of about 17 years centred on now (older keys only clamp the
        // order among devices not seen for 8 years). Expiry keys are never before now.
        this.bySeen = new SeenOrder(initial, now - SlotHeap.MAX_REL / 2);
        this.byExpiry = new SlotHeap(16, now);
    }

    /** A builder with the defaults: 20,000 devices, 10 failures, 5 min doubling to 1 h, system clock. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- membership

    /**
     * Adds a device seen now, or touches it if already known. When the registry is full, the
     * least recently seen device is evicted first ({@link RegistryListener#onEvicted}).
     * Allocation-free except when the internal arrays grow towards {@code maxDevices}.
     *
     * @return true if the device was not known before
     */
    public boolean add(int ipv4) {
        return add(ipv4, clock.getAsLong());
    }

    /**
     * {@link #add(int)} with the time the device was seen supplied by the caller (e.g. the
     * reply's receive timestamp), which saves a clock read (about 20 ns) under the caller's
     * control. Times before the device's current last seen do not move it back.
     *
     * @param seenEpochMillis when the device was seen, wall-clock epoch millis
     * @return true if the device was not known before
     */
    public boolean add(int ipv4, long seenEpochMillis) {
        long now = seenEpochMillis;
        lock.lock();
        try {
            expireDue(now);
            int n = size;
            int candidate = n == maxDevices ? bySeen.minSlot() : n;
            int existing = slotOf.putIfAbsent(ipv4, candidate);
            if (existing != NO_SLOT) {
                touchSlot(existing, now);
                return false;
            }
            if (n == maxDevices) {
                int d = candidate << D_SHIFT;
                int evictedIp = (int) data[d + D_IPV4];
                slotOf.remove(evictedIp);
                if (data[d + D_SUSPENDED_UNTIL] != 0) {
                    byExpiry.remove(candidate);
                    suspendedCount = byExpiry.size();
                }
                initSlot(candidate, ipv4, now);
                bySeen.update(candidate, now);
                bumpModCount();
                notifyEvicted(evictedIp);
            } else {
                if (n << D_SHIFT == data.length) {
                    grow();
                }
                initSlot(candidate, ipv4, now);
                bySeen.insert(candidate, now);
                size = n + 1;
                bumpModCount();
            }
            notifyAdded(ipv4);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a device.
     *
     * @return true if it was known
     */
    public boolean remove(int ipv4) {
        lock.lock();
        try {
            expireDue(clock.getAsLong());
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return false;
            }
            removeSlot(s);
            bumpModCount();
            try {
                listener.onRemoved(ipv4);
            } catch (RuntimeException e) {
                listenerFailures++;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes every device not seen for at least {@code age} by this registry's clock (the
     * injected one, so a fake clock in tests decides), as {@link #prune(long)} does with
     * {@code clock - age}.
     *
     * @return the removed addresses, least recently seen first (an unmodifiable list)
     */
    public IntList pruneNotSeenFor(Duration age) {
        return prune(clock.getAsLong() - age.toMillis());
    }

    /**
     * Removes every device last seen before {@code olderThanEpochMillis}, least recently seen
     * first, telling the listener about each ({@link RegistryListener#onPruned}). O(k log n) for
     * k removed devices.
     *
     * @return the removed addresses, in the order they were removed (an unmodifiable list)
     */
    public IntList prune(long olderThanEpochMillis) {
        lock.lock();
        try {
            expireDue(clock.getAsLong());
            if (bySeen.minKey() >= olderThanEpochMillis) {
                return IntLists.emptyList();
            }
            IntArrayList pruned = new IntArrayList();
            while (bySeen.minKey() < olderThanEpochMillis) {
                int s = bySeen.minSlot();
                int ip = (int) data[(s << D_SHIFT) + D_IPV4];
                removeSlot(s);
                pruned.add(ip);
            }
            bumpModCount();
            for (int i = 0; i < pruned.size(); i++) {
                try {
                    listener.onPruned(pruned.getInt(i));
                } catch (RuntimeException e) {
                    listenerFailures++;
                }
            }
            return IntLists.unmodifiable(pruned);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- updates (hot paths)

    /** Marks a known device as seen now; unknown devices are ignored. Allocation-free. */
    public void touch(int ipv4) {
        touch(ipv4, clock.getAsLong());
    }

    /** {@link #touch(int)} at a caller-supplied time (epoch millis); see {@link #add(int, long)}. */
    public void touch(int ipv4, long seenEpochMillis) {
        long now = seenEpochMillis;
        lock.lock();
        try {
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s != NO_SLOT) {
                touchSlot(s, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A ping answered: marks the device seen now, clears its failure streak and, if suspended,
     * ends the suspension and the backoff doubling ({@link RegistryListener#onResumed}). Unknown
     * devices are ignored. Allocation-free.
     */
    public void recordPingSuccess(int ipv4) {
        recordPingSuccess(ipv4, clock.getAsLong());
    }

    /**
     * {@link #recordPingSuccess(int)} with the reply's receive time (epoch millis) supplied by the
     * caller; see {@link #add(int, long)}.
     */
    public void recordPingSuccess(int ipv4, long repliedEpochMillis) {
        long now = repliedEpochMillis;
        lock.lock();
        try {
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return;
            }
            touchSlot(s, now);
            int d = s << D_SHIFT;
            data[d + D_STREAK] = 0;
            data[d + D_SUSPENSIONS] = 0;
            if (data[d + D_SUSPENDED_UNTIL] != 0) {
                byExpiry.remove(s);
                data[d + D_SUSPENDED_UNTIL] = 0;
                suspendedCount = byExpiry.size();
                bumpModCount();
                try {
                    listener.onResumed(ipv4, false);
                } catch (RuntimeException e) {
                    listenerFailures++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A ping failed: counts it in the device's failure streak and opens the circuit breaker when
     * the streak reaches {@code failureThreshold} and the device is not already suspended.
     * Does not change last seen. Unknown devices are ignored. Allocation-free (the first
     * suspension ever starts the expiry timer thread).
     *
     * @return true if this failure suspended the device
     */
    public boolean recordPingFailure(int ipv4) {
        return recordPingFailure(ipv4, clock.getAsLong());
    }

    /**
     * {@link #recordPingFailure(int)} with the time the failure was established (epoch millis)
     * supplied by the caller; the suspension, if any, runs from then.
     *
     * @return true if this failure suspended the device
     */
    public boolean recordPingFailure(int ipv4, long failedEpochMillis) {
        long now = failedEpochMillis;
        lock.lock();
        try {
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return false;
            }
            int d = s << D_SHIFT;
            long st = data[d + D_STREAK];
            if (st != Integer.MAX_VALUE) {
                data[d + D_STREAK] = ++st;
            }
            if (data[d + D_SUSPENDED_UNTIL] != 0 || st < failureThreshold) {
                return false;
            }
            int n = (int) data[d + D_SUSPENSIONS];
            if (n != Integer.MAX_VALUE) {
                data[d + D_SUSPENSIONS] = ++n;
            }
            long until = now + backoffMillis(n);
            data[d + D_SUSPENDED_UNTIL] = until;
            byExpiry.insert(s, until);
            suspendedCount = byExpiry.size();
            bumpModCount();
            if (expiryTimer) {
                if (byExpiry.minSlot() == s) {
                    expiryChanged.signal();
                }
                if (timer == null && !closed) {
                    timer = Thread.ofVirtual().name("netscan-registry-expiry").start(this::expiryLoop);
                }
            }
            try {
                listener.onSuspended(ipv4, until, n);
            } catch (RuntimeException e) {
                listenerFailures++;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores what the device said over SNMP and marks it seen now (it answered). Unknown devices
     * are ignored.
     *
     * @throws NullPointerException if {@code info} is null
     */
    public void updateSnmp(int ipv4, SnmpInfo info) {
        Objects.requireNonNull(info, "info");
        lock.lock();
        try {
            long now = clock.getAsLong();
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s != NO_SLOT) {
                refs[(s << R_SHIFT) + R_SNMP] = info;
                data[(s << D_SHIFT) + D_SNMP_UPDATED] = now;
                data[(s << D_SHIFT) + D_FLAGS] |= F_SNMP;
                touchSlot(s, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores the device's latest ping-statistics window. Does not change last seen. Unknown
     * devices are ignored.
     *
     * @throws IllegalArgumentException if {@code stats} is about another address
     */
    public void updateStats(int ipv4, PingStats stats) {
        Objects.requireNonNull(stats, "stats");
        if (stats.ipv4() != ipv4) {
            throw new IllegalArgumentException("ping stats for " + Ipv4.format(stats.ipv4())
                    + " given for device " + Ipv4.format(ipv4));
        }
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            if (s != NO_SLOT) {
                refs[(s << R_SHIFT) + R_STATS] = stats;
                data[(s << D_SHIFT) + D_FLAGS] |= F_STATS;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies every suspension that has ended by the clock now: the count drops and the listener
     * hears {@code onResumed(ip, true)}. The expiry timer calls this; call it yourself when the
     * timer is disabled (fake clocks in tests).
     *
     * @return how many suspensions ended
     */
    public int processExpiries() {
        lock.lock();
        try {
            return expireDue(clock.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- reads

    /**
     * An immutable snapshot of the device, or null if unknown. The snapshot is cached until the
     * device changes, so repeated reads of an unchanged device allocate nothing. A suspension
     * that ended but was not yet applied shows as a {@code suspendedUntilEpochMillis} in the
     * past; use {@link Device#suspendedAt(long)} or {@link #isSuspended(int)}.
     */
    public Device get(int ipv4) {
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            return s == NO_SLOT ? null : snapshotOf(s);
        } finally {
            lock.unlock();
        }
    }

    /** When the device was last seen (epoch millis), or {@link #NOT_FOUND}. Allocation-free. */
    public long lastSeen(int ipv4) {
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            return s == NO_SLOT ? NOT_FOUND : data[(s << D_SHIFT) + D_LAST_SEEN];
        } finally {
            lock.unlock();
        }
    }

    /** The device's consecutive failed pings, or -1 if unknown. Allocation-free. */
    public int failureStreak(int ipv4) {
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            return s == NO_SLOT ? -1 : (int) data[(s << D_SHIFT) + D_STREAK];
        } finally {
            lock.unlock();
        }
    }

    /** True if the device is known. Allocation-free. */
    public boolean contains(int ipv4) {
        lock.lock();
        try {
            return slotOf.containsKey(ipv4);
        } finally {
            lock.unlock();
        }
    }

    /** True if the device is known and suspended at the clock's now. Allocation-free. */
    public boolean isSuspended(int ipv4) {
        return suspendedUntil(ipv4) != 0;
    }

    /**
     * When the device's current suspension ends (epoch millis), or 0 if it is not suspended at
     * the clock's now or is unknown. Allocation-free.
     */
    public long suspendedUntil(int ipv4) {
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return 0;
            }
            long until = data[(s << D_SHIFT) + D_SUSPENDED_UNTIL];
            return until > clock.getAsLong() ? until : 0;
        } finally {
            lock.unlock();
        }
    }

    /** How many devices are known. One volatile read. */
    public int size() {
        return size;
    }

    /** The configured capacity. */
    public int maxDevices() {
        return maxDevices;
    }

    /**
     * How many devices are suspended. O(1): one volatile read (about a nanosecond). See the class
     * documentation for how exact it is at the moment a suspension ends.
     */
    public int suspendedCount() {
        return suspendedCount;
    }

    /**
     * A number that changes whenever a device is added, evicted, pruned or removed, or is
     * suspended or resumed; it does not change when a known device is merely seen again or its
     * SNMP or statistics are updated. A reconciler compares it with the value it saw last time to
     * skip work when nothing changed. One volatile read.
     */
    public long modCount() {
        return modCount;
    }

    /** How many listener exceptions were caught and ignored. */
    public long listenerFailures() {
        return listenerFailures;
    }

    /**
     * Replaces the contents of {@code into} with every known address (in no particular order).
     * Allocation-free once {@code into} has room for {@link #size()} addresses; one array copy
     * under the lock.
     *
     * @return the number of addresses
     */
    public int addresses(IntArrayList into) {
        lock.lock();
        try {
            int n = size;
            into.size(n);
            int[] out = into.elements();
            long[] d = data;
            for (int s = 0; s < n; s++) {
                out[s] = (int) d[(s << D_SHIFT) + D_IPV4];
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the known addresses into {@code into}, as many as fit. Allocation-free.
     *
     * @return the number of known addresses; if larger than {@code into.length}, only the first
     *     {@code into.length} were copied
     */
    public int copyAddresses(int[] into) {
        lock.lock();
        try {
            int n = size;
            int m = Math.min(n, into.length);
            long[] d = data;
            for (int s = 0; s < m; s++) {
                into[s] = (int) d[(s << D_SHIFT) + D_IPV4];
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An immutable snapshot of every device, in no particular order. Reuses each device's cached
     * snapshot, so it allocates only the list and the snapshots of devices changed since last
     * read.
     */
    public List<Device> snapshot() {
        lock.lock();
        try {
            int n = size;
            Device[] out = new Device[n];
            for (int s = 0; s < n; s++) {
                out[s] = snapshotOf(s);
            }
            return Collections.unmodifiableList(Arrays.asList(out));
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- persistence

    /**
     * Writes every device to {@code file} atomically: a temporary file in the same directory,
     * forced to disk, then renamed over {@code file}, so a crash leaves either the old or the new
     * snapshot, never a mix. The format is versioned and ends with a CRC32C. The registry is
     * locked only while the snapshot is taken, not while writing.
     */
    public void save(Path file) throws IOException {
        SnapshotFile.write(file, snapshot(), clock.getAsLong());
    }

    /**
     * Builds a registry with {@code builder}'s settings holding the devices saved in
     * {@code file}. The whole file is checked (magic, version, length, CRC32C, every record)
     * before anything is loaded; a file that fails is refused with
     * {@link CorruptSnapshotException} naming the file and the problem. Suspensions that ended
     * by the clock's now are loaded as ended. If the file holds more than {@code maxDevices}
     * devices, the most recently seen are kept. No listener events are fired for loaded devices.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws CorruptSnapshotException if the file is not a complete, valid snapshot
     */
    public static DeviceRegistry load(Path file, Builder builder) throws IOException {
        List<Device> devices = SnapshotFile.read(file);
        DeviceRegistry r = builder.build();
        r.loadAll(devices);
        return r;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops the expiry timer (bounded wait of one second). Idempotent. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            t = timer;
            expiryChanged.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- internals (under lock)

    private void expiryLoop() {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.getAsLong();
                expireDue(now);
                long next = byExpiry.minKey();
                if (next == Long.MAX_VALUE) {
                    expiryChanged.await();
                } else {
                    expiryChanged.await(next - now, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts us; nothing to clean up.
        } finally {
            lock.unlock();
        }
    }

    private int expireDue(long now) {
        if (byExpiry.minKey() > now) {
            return 0;
        }
        int ended = 0;
        while (byExpiry.minKey() <= now) {
            int s = byExpiry.minSlot();
            byExpiry.remove(s);
            data[(s << D_SHIFT) + D_SUSPENDED_UNTIL] = 0;
            suspendedCount = byExpiry.size();
            ended++;
            bumpModCount();
            try {
                listener.onResumed((int) data[(s << D_SHIFT) + D_IPV4], true);
            } catch (RuntimeException e) {
                listenerFailures++;
            }
        }
        return ended;
    }

    private long backoffMillis(int suspensionsInARow) {
        long b = suspendBaseMillis;
        for (int i = 1; i < suspensionsInARow && b < suspendMaxMillis; i++) {
            b <<= 1;
        }
        return Math.min(b, suspendMaxMillis);
    }

    private void touchSlot(int s, long now) {
        int d = (s << D_SHIFT) + D_LAST_SEEN;
        if (now > data[d]) {
            data[d] = now;
            bySeen.update(s, now);
        }
    }

    private void initSlot(int s, int ipv4, long now) {
        int d = s << D_SHIFT;
        long[] a = data;
        a[d + D_LAST_SEEN] = now;
        a[d + D_FIRST_SEEN] = now;
        a[d + D_SNMP_UPDATED] = 0;
        a[d + D_SUSPENDED_UNTIL] = 0;
        a[d + D_IPV4] = ipv4;
        a[d + D_STREAK] = 0;
        a[d + D_SUSPENSIONS] = 0;
        a[d + D_FLAGS] = 0;
    }

    /** Removes slot s from everything and moves the last slot into it. Caller bumps modCount. */
    private void removeSlot(int s) {
        int d = s << D_SHIFT;
        bySeen.remove(s);
        if (data[d + D_SUSPENDED_UNTIL] != 0) {
            byExpiry.remove(s);
            suspendedCount = byExpiry.size();
        }
        slotOf.remove((int) data[d + D_IPV4]);
        int last = size - 1;
        if (s != last) {
            System.arraycopy(data, last << D_SHIFT, data, d, 1 << D_SHIFT);
            System.arraycopy(refs, last << R_SHIFT, refs, s << R_SHIFT, 1 << R_SHIFT);
            bySeen.renameSlot(last, s);
            if (data[d + D_SUSPENDED_UNTIL] != 0) {
                byExpiry.renameSlot(last, s);
            }
            slotOf.put((int) data[d + D_IPV4], s);
        }
        Arrays.fill(refs, last << R_SHIFT, (last + 1) << R_SHIFT, null);
        Arrays.fill(data, last << D_SHIFT, (last + 1) << D_SHIFT, 0L);
        size = last;
    }

    /** The cached snapshot if it still matches the slot, else a new one (then cached). */
    private Device snapshotOf(int s) {
        int r = s << R_SHIFT;
        Device c = (Device) refs[r + R_CACHED];
        if (c != null && matches(c, s)) {
            return c;
        }
        Device d = build(s);
        refs[r + R_CACHED] = d;
        return d;
    }

    private boolean matches(Device c, int s) {
        int d = s << D_SHIFT;
        long[] a = data;
        return c.lastSeenEpochMillis() == a[d + D_LAST_SEEN]
                && c.ipv4() == (int) a[d + D_IPV4]
                && c.failureStreak() == a[d + D_STREAK]
                && c.suspendedUntilEpochMillis() == a[d + D_SUSPENDED_UNTIL]
                && c.firstSeenEpochMillis() == a[d + D_FIRST_SEEN]
                && c.snmpUpdatedEpochMillis() == a[d + D_SNMP_UPDATED]
                && c.suspensions() == a[d + D_SUSPENSIONS]
                && c.snmp() == snmpOf(s)
                && c.lastStats() == statsOf(s);
    }

    private SnmpInfo snmpOf(int s) {
        return (data[(s << D_SHIFT) + D_FLAGS] & F_SNMP) != 0 ? (SnmpInfo) refs[(s << R_SHIFT) + R_SNMP] : SnmpInfo.UNKNOWN;
    }

    private PingStats statsOf(int s) {
        return (data[(s << D_SHIFT) + D_FLAGS] & F_STATS) != 0 ? (PingStats) refs[(s << R_SHIFT) + R_STATS] : null;
    }

    private Device build(int s) {
        int d = s << D_SHIFT;
        long[] a = data;
        return new Device((int) a[d + D_IPV4], a[d + D_FIRST_SEEN], a[d + D_LAST_SEEN], snmpOf(s),
                a[d + D_SNMP_UPDATED], (int) a[d + D_STREAK], a[d + D_SUSPENDED_UNTIL], (int) a[d + D_SUSPENSIONS],
                statsOf(s));
    }

    private void grow() {
        int slots = data.length >> D_SHIFT;
        int c = (int) Math.min(maxDevices, Math.max(16L, slots + ((long) slots >> 1)));
        data = Arrays.copyOf(data, c << D_SHIFT);
        refs = Arrays.copyOf(refs, c << R_SHIFT);
        bySeen.ensureSlotCapacity(c);
        byExpiry.ensureSlotCapacity(c);
    }

    private void loadAll(List<Device> devices) {
        // Least recently seen first: each device then lands at the tail of the last-seen order
        // (O(1)) rather than in its out-of-order heap; beyond capacity, the most recent are kept.
        List<Device> keep = new ArrayList<>(devices);
        keep.sort((a, b) -> Long.compare(a.lastSeenEpochMillis(), b.lastSeenEpochMillis()));
        if (keep.size() > maxDevices) {
            keep = keep.subList(keep.size() - maxDevices, keep.size());
        }
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (Device d : keep) {
                int s = size;
                if (s << D_SHIFT == data.length) {
                    grow();
                }
                int t = s << D_SHIFT;
                long until = d.suspendedUntilEpochMillis();
                data[t + D_LAST_SEEN] = d.lastSeenEpochMillis();
                data[t + D_FIRST_SEEN] = d.firstSeenEpochMillis();
                data[t + D_SNMP_UPDATED] = d.snmpUpdatedEpochMillis();
                data[t + D_SUSPENDED_UNTIL] = until > now ? until : 0;
                data[t + D_IPV4] = d.ipv4();
                data[t + D_STREAK] = d.failureStreak();
                data[t + D_SUSPENSIONS] = d.suspensions();
                data[t + D_FLAGS] = (d.snmp() != SnmpInfo.UNKNOWN ? F_SNMP : 0) | (d.lastStats() != null ? F_STATS : 0);
                refs[(s << R_SHIFT) + R_SNMP] = d.snmp();
                refs[(s << R_SHIFT) + R_STATS] = d.lastStats();
                slotOf.put(d.ipv4(), s);
                bySeen.insert(s, d.lastSeenEpochMillis());
                if (data[t + D_SUSPENDED_UNTIL] != 0) {
                    byExpiry.insert(s, until);
                }
                size = s + 1;
            }
            suspendedCount = byExpiry.size();
            bumpModCount();
            if (expiryTimer && !byExpiry.isEmpty() && timer == null && !closed) {
                timer = Thread.ofVirtual().name("netscan-registry-expiry").start(this::expiryLoop);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks every internal invariant (map and slots agree, both heaps ordered and indexed, keys
     * match the per-slot values, counts exact) and throws {@link IllegalStateException} naming
     * the first violation. For tests.
     */
    void checkInvariants() {
        lock.lock();
        try {
            int n = size;
            if (slotOf.size() != n) {
                throw new IllegalStateException("map holds " + slotOf.size() + " devices but size is " + n);
            }
            if (n > maxDevices) {
                throw new IllegalStateException("size " + n + " exceeds maxDevices " + maxDevices);
            }
            int suspended = 0;
            for (int s = 0; s < n; s++) {
                int ip = (int) data[(s << D_SHIFT) + D_IPV4];
                if (slotOf.get(ip) != s) {
                    throw new IllegalStateException("slot " + s + " holds " + Ipv4.format(ip)
                            + " but the map says slot " + slotOf.get(ip));
                }
                if (!bySeen.contains(s)) {
                    throw new IllegalStateException("slot " + s + " missing from the last-seen order");
                }
                boolean inExpiry = byExpiry.contains(s);
                long until = data[(s << D_SHIFT) + D_SUSPENDED_UNTIL];
                if (inExpiry != (until != 0)) {
                    throw new IllegalStateException("slot " + s + " suspendedUntil=" + until
                            + " but in expiry heap=" + inExpiry);
                }
                if (inExpiry) {
                    suspended++;
                }
                Device c = (Device) refs[(s << R_SHIFT) + R_CACHED];
                if (c != null && matches(c, s) && !c.equals(build(s))) {
                    throw new IllegalStateException("cached snapshot for slot " + s + " passes the check but differs: " + c);
                }
            }
            if (bySeen.size() != n) {
                throw new IllegalStateException("last-seen order holds " + bySeen.size() + " but size is " + n);
            }
            if (suspended != suspendedCount || suspended != byExpiry.size()) {
                throw new IllegalStateException("suspended: counted " + suspended + ", published "
                        + suspendedCount + ", expiry heap " + byExpiry.size());
            }
            bySeen.checkInvariants("last-seen order", s -> data[(s << D_SHIFT) + D_LAST_SEEN]);
            byExpiry.checkInvariants("expiry heap", s -> data[(s << D_SHIFT) + D_SUSPENDED_UNTIL]);
        } finally {
            lock.unlock();
        }
    }

    /**
     * modCount + 1, published with a release store: only the lock holder writes it, and lock-free
     * readers need to see it no earlier than the changes it announces, which release order
     * gives; a volatile store would add a full fence (several nanoseconds on x86) to every add.
     */
    private void bumpModCount() {
        MOD_COUNT.setRelease(this, modCount + 1);
    }

    private void notifyAdded(int ipv4) {
        try {
            listener.onAdded(ipv4);
        } catch (RuntimeException e) {
            listenerFailures++;
        }
    }

    private void notifyEvicted(int ipv4) {
        try {
            listener.onEvicted(ipv4);
        } catch (RuntimeException e) {
            listenerFailures++;
        }
    }

    /**
     * Settings for a {@link DeviceRegistry}. Not thread-safe; {@link #build()} validates every
     * setting at once and may be called repeatedly.
     */
    public static final class Builder {
        private int maxDevices = 20_000;
        private int failureThreshold = 10;
        private Duration suspendBase = Duration.ofMinutes(5);
        private Duration suspendMax = Duration.ofHours(1);
        private LongSupplier clock = System::currentTimeMillis;
        private RegistryListener listener = RegistryListener.NONE;
        private boolean expiryTimer = true;

        private Builder() {}

        /** Capacity; 1 to 16,777,216. Default 20,000. */
        public Builder maxDevices(int maxDevices) {
            this.maxDevices = maxDevices;
            return this;
        }

        /** Consecutive failed pings that suspend a device; at least 1. Default 10. */
        public Builder failureThreshold(int failureThreshold) {
            this.failureThreshold = failureThreshold;
            return this;
        }

        /** First suspension's length; at least 1 ms. Default 5 minutes. */
        public Builder suspendBase(Duration suspendBase) {
            this.suspendBase = suspendBase;
            return this;
        }

        /** Longest suspension (the doubling stops here); at least {@code suspendBase}. Default 1 hour. */
        public Builder suspendMax(Duration suspendMax) {
            this.suspendMax = suspendMax;
            return this;
        }

        /**
         * Wall clock in epoch milliseconds. Default {@code System::currentTimeMillis}. An
         * application adding or updating hundreds of thousands of devices a second may pass
         * {@code CoarseClock::millis} (see {@link CoarseClock} for what that costs and lags).
         */
        public Builder clock(LongSupplier epochMillis) {
            this.clock = epochMillis;
            return this;
        }

        /** Who hears about changes. Default {@link RegistryListener#NONE}. */
        public Builder listener(RegistryListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Whether a timer thread applies suspension ends as they happen (default true). Turn it
         * off with a fake clock and call {@link DeviceRegistry#processExpiries()} instead.
         */
        public Builder expiryTimer(boolean enabled) {
            this.expiryTimer = enabled;
            return this;
        }

        /**
         * Validates every setting and builds an empty registry.
         *
         * @throws InvalidConfigException listing every invalid setting, keyed by builder method name
         */
        public DeviceRegistry build() {
            validate();
            return new DeviceRegistry(this);
        }

        /**
         * Checks every setting without building (a registry's tables are sized by
         * {@code maxDevices}), so a configuration can be checked before anything starts.
         *
         * @throws InvalidConfigException listing every invalid setting, keyed by builder method name
         */
        public void validate() {
            ConfigProblems problems = new ConfigProblems();
            problems.range("maxDevices", maxDevices, 1, SlotHeap.MAX_SLOTS);
            problems.check(failureThreshold >= 1, "failureThreshold", "must be at least 1, was " + failureThreshold);
            boolean base = problems.atLeast("suspendBase", suspendBase, Duration.ofMillis(1));
            if (problems.between("suspendMax", suspendMax, Duration.ZERO, MAX_SUSPENSION) && base) {
                problems.check(suspendMax.compareTo(suspendBase) >= 0, "suspendMax", "must be at least suspendBase ("
                        + suspendBase + "), was " + suspendMax);
            }
            problems.required("clock", clock);
            problems.check(listener != null, "listener", "is required (use RegistryListener.NONE)");
            problems.throwIfAny();
        }
    }
}
