package dev.netscan.state;

import dev.netscan.core.Device;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.ints.IntLists;
import java.io.IOException;
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
 * recently seen, found through an indexed 4-ary min-heap on last-seen time, so adding, touching
 * and evicting are O(log n). Last-seen never moves backwards for a device, even if the wall
 * clock does.
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
 * The hot paths ({@link #add(int)} of a known device, {@link #touch(int)},
 * {@link #recordPingSuccess(int)}, {@link #recordPingFailure(int)}, {@link #lastSeen(int)},
 * {@link #contains(int)}, {@link #isSuspended(int)}) allocate nothing; {@link #get(int)}
 * allocates one {@link Device} only the first time a device is read after it changed.
 *
 * <p>{@link #close()} stops the expiry timer; the registry stays usable afterwards, with expiries
 * applied only when an operation observes them.
 */
public final class DeviceRegistry implements AutoCloseable {

    /** What {@link #lastSeen(int)} and the other per-device accessors return for an unknown device. */
    public static final long NOT_FOUND = -1L;

    private static final int NO_SLOT = -1;
    private static final int INITIAL_SLOTS = 1024;
    private static final Duration MAX_SUSPENSION = Duration.ofDays(365);

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
    private final Int2IntOpenHashMap slotOf;
    private int[] ips;
    private long[] firstSeen;
    private long[] snmpUpdated;
    private int[] streak;
    /** End of the current suspension, 0 when not suspended; non-zero exactly when in byExpiry. */
    private long[] suspendedUntil;
    private int[] suspensions;
    private SnmpInfo[] snmp;
    private PingStats[] stats;
    /** The snapshot handed out last for this slot, null once the slot changed. */
    private Device[] cached;
    /** Every slot in use, keyed by last-seen epoch millis: the eviction order. */
    private final SlotHeap bySeen;
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
        this.slotOf = new Int2IntOpenHashMap(initial);
        this.slotOf.defaultReturnValue(NO_SLOT);
        this.ips = new int[initial];
        this.firstSeen = new long[initial];
        this.snmpUpdated = new long[initial];
        this.streak = new int[initial];
        this.suspendedUntil = new long[initial];
        this.suspensions = new int[initial];
        this.snmp = new SnmpInfo[initial];
        this.stats = new PingStats[initial];
        this.cached = new Device[initial];
        this.bySeen = new SlotHeap(initial);
        this.byExpiry = new SlotHeap(16);
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
        lock.lock();
        try {
            long now = clock.getAsLong();
            expireDue(now);
            int n = size;
            int candidate = n == maxDevices ? bySeen.minSlot() : n;
            int existing = slotOf.putIfAbsent(ipv4, candidate);
            if (existing != NO_SLOT) {
                touchSlot(existing, now);
                return false;
            }
            if (n == maxDevices) {
                int evictedIp = ips[candidate];
                slotOf.remove(evictedIp);
                if (suspendedUntil[candidate] != 0) {
                    byExpiry.remove(candidate);
                    suspendedCount = byExpiry.size();
                }
                initSlot(candidate, ipv4, now);
                bySeen.update(candidate, now);
                modCount++;
                notifyEvicted(evictedIp);
            } else {
                if (n == ips.length) {
                    grow();
                }
                initSlot(candidate, ipv4, now);
                bySeen.insert(candidate, now);
                size = n + 1;
                modCount++;
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
            modCount++;
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
                int ip = ips[s];
                removeSlot(s);
                pruned.add(ip);
            }
            modCount++;
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
        lock.lock();
        try {
            long now = clock.getAsLong();
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
        lock.lock();
        try {
            long now = clock.getAsLong();
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return;
            }
            touchSlot(s, now);
            streak[s] = 0;
            suspensions[s] = 0;
            if (suspendedUntil[s] != 0) {
                byExpiry.remove(s);
                suspendedUntil[s] = 0;
                suspendedCount = byExpiry.size();
                modCount++;
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
        lock.lock();
        try {
            long now = clock.getAsLong();
            expireDue(now);
            int s = slotOf.get(ipv4);
            if (s == NO_SLOT) {
                return false;
            }
            int st = streak[s];
            if (st != Integer.MAX_VALUE) {
                streak[s] = ++st;
            }
            cached[s] = null;
            if (suspendedUntil[s] != 0 || st < failureThreshold) {
                return false;
            }
            int n = suspensions[s];
            if (n != Integer.MAX_VALUE) {
                suspensions[s] = ++n;
            }
            long until = now + backoffMillis(n);
            suspendedUntil[s] = until;
            byExpiry.insert(s, until);
            suspendedCount = byExpiry.size();
            modCount++;
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
                snmp[s] = info;
                snmpUpdated[s] = now;
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
                this.stats[s] = stats;
                cached[s] = null;
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
            return s == NO_SLOT ? NOT_FOUND : bySeen.key(s);
        } finally {
            lock.unlock();
        }
    }

    /** The device's consecutive failed pings, or -1 if unknown. Allocation-free. */
    public int failureStreak(int ipv4) {
        lock.lock();
        try {
            int s = slotOf.get(ipv4);
            return s == NO_SLOT ? -1 : streak[s];
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
            long until = suspendedUntil[s];
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
            System.arraycopy(ips, 0, into.elements(), 0, n);
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
            System.arraycopy(ips, 0, into, 0, Math.min(n, into.length));
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
            suspendedUntil[s] = 0;
            cached[s] = null;
            suspendedCount = byExpiry.size();
            ended++;
            modCount++;
            try {
                listener.onResumed(ips[s], true);
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
        if (now > bySeen.key(s)) {
            bySeen.update(s, now);
        }
        cached[s] = null;
    }

    private void initSlot(int s, int ipv4, long now) {
        ips[s] = ipv4;
        firstSeen[s] = now;
        snmpUpdated[s] = 0;
        streak[s] = 0;
        suspendedUntil[s] = 0;
        suspensions[s] = 0;
        snmp[s] = SnmpInfo.UNKNOWN;
        stats[s] = null;
        cached[s] = null;
    }

    /** Removes slot s from everything and moves the last slot into it. Caller bumps modCount. */
    private void removeSlot(int s) {
        bySeen.remove(s);
        if (suspendedUntil[s] != 0) {
            byExpiry.remove(s);
            suspendedCount = byExpiry.size();
        }
        slotOf.remove(ips[s]);
        int last = size - 1;
        if (s != last) {
            ips[s] = ips[last];
            firstSeen[s] = firstSeen[last];
            snmpUpdated[s] = snmpUpdated[last];
            streak[s] = streak[last];
            suspendedUntil[s] = suspendedUntil[last];
            suspensions[s] = suspensions[last];
            snmp[s] = snmp[last];
            stats[s] = stats[last];
            cached[s] = cached[last];
            bySeen.renameSlot(last, s);
            if (suspendedUntil[s] != 0) {
                byExpiry.renameSlot(last, s);
            }
            slotOf.put(ips[s], s);
        }
        snmp[last] = null;
        stats[last] = null;
        cached[last] = null;
        suspendedUntil[last] = 0;
        size = last;
    }

    private Device snapshotOf(int s) {
        Device d = cached[s];
        if (d == null) {
            d = new Device(ips[s], firstSeen[s], bySeen.key(s), snmp[s], snmpUpdated[s], streak[s],
                    suspendedUntil[s], suspensions[s], stats[s]);
            cached[s] = d;
        }
        return d;
    }

    private void grow() {
        int c = (int) Math.min(maxDevices, Math.max(16L, ips.length + ((long) ips.length >> 1)));
        ips = Arrays.copyOf(ips, c);
        firstSeen = Arrays.copyOf(firstSeen, c);
        snmpUpdated = Arrays.copyOf(snmpUpdated, c);
        streak = Arrays.copyOf(streak, c);
        suspendedUntil = Arrays.copyOf(suspendedUntil, c);
        suspensions = Arrays.copyOf(suspensions, c);
        snmp = Arrays.copyOf(snmp, c);
        stats = Arrays.copyOf(stats, c);
        cached = Arrays.copyOf(cached, c);
        bySeen.ensureSlotCapacity(c);
        byExpiry.ensureSlotCapacity(c);
    }

    private void loadAll(List<Device> devices) {
        List<Device> keep = devices;
        if (devices.size() > maxDevices) {
            keep = new ArrayList<>(devices);
            keep.sort((a, b) -> Long.compare(b.lastSeenEpochMillis(), a.lastSeenEpochMillis()));
            keep = keep.subList(0, maxDevices);
        }
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (Device d : keep) {
                int s = size;
                if (s == ips.length) {
                    grow();
                }
                ips[s] = d.ipv4();
                firstSeen[s] = d.firstSeenEpochMillis();
                snmpUpdated[s] = d.snmpUpdatedEpochMillis();
                streak[s] = d.failureStreak();
                suspensions[s] = d.suspensions();
                snmp[s] = d.snmp();
                stats[s] = d.lastStats();
                cached[s] = null;
                long until = d.suspendedUntilEpochMillis();
                suspendedUntil[s] = until > now ? until : 0;
                slotOf.put(d.ipv4(), s);
                bySeen.insert(s, d.lastSeenEpochMillis());
                if (suspendedUntil[s] != 0) {
                    byExpiry.insert(s, until);
                }
                size = s + 1;
            }
            suspendedCount = byExpiry.size();
            modCount++;
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
                if (slotOf.get(ips[s]) != s) {
                    throw new IllegalStateException("slot " + s + " holds " + Ipv4.format(ips[s])
                            + " but the map says slot " + slotOf.get(ips[s]));
                }
                if (!bySeen.contains(s)) {
                    throw new IllegalStateException("slot " + s + " missing from the last-seen heap");
                }
                boolean inExpiry = byExpiry.contains(s);
                if (inExpiry != (suspendedUntil[s] != 0)) {
                    throw new IllegalStateException("slot " + s + " suspendedUntil=" + suspendedUntil[s]
                            + " but in expiry heap=" + inExpiry);
                }
                if (inExpiry) {
                    suspended++;
                }
                Device d = cached[s];
                if (d != null && !d.equals(new Device(ips[s], firstSeen[s], bySeen.key(s), snmp[s], snmpUpdated[s],
                        streak[s], suspendedUntil[s], suspensions[s], stats[s]))) {
                    throw new IllegalStateException("stale cached snapshot for slot " + s + ": " + d);
                }
            }
            if (bySeen.size() != n) {
                throw new IllegalStateException("last-seen heap holds " + bySeen.size() + " but size is " + n);
            }
            if (suspended != suspendedCount || suspended != byExpiry.size()) {
                throw new IllegalStateException("suspended: counted " + suspended + ", published "
                        + suspendedCount + ", expiry heap " + byExpiry.size());
            }
            bySeen.checkInvariants("last-seen heap", null);
            byExpiry.checkInvariants("expiry heap", s -> suspendedUntil[s]);
        } finally {
            lock.unlock();
        }
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

        /** Capacity; at least 1. Default 20,000. */
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

        /** Wall clock in epoch milliseconds. Default {@code System::currentTimeMillis}. */
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
         * @throws IllegalArgumentException listing every invalid setting
         */
        public DeviceRegistry build() {
            List<String> problems = new ArrayList<>();
            if (maxDevices < 1) {
                problems.add("maxDevices must be at least 1, was " + maxDevices);
            }
            if (failureThreshold < 1) {
                problems.add("failureThreshold must be at least 1, was " + failureThreshold);
            }
            if (suspendBase == null) {
                problems.add("suspendBase must be set");
            } else if (suspendBase.toMillis() < 1) {
                problems.add("suspendBase must be at least 1 ms, was " + suspendBase);
            }
            if (suspendMax == null) {
                problems.add("suspendMax must be set");
            } else if (suspendMax.compareTo(MAX_SUSPENSION) > 0) {
                problems.add("suspendMax must be at most " + MAX_SUSPENSION.toDays() + " days, was " + suspendMax);
            } else if (suspendBase != null && suspendMax.compareTo(suspendBase) < 0) {
                problems.add("suspendMax (" + suspendMax + ") must be at least suspendBase (" + suspendBase + ")");
            }
            if (clock == null) {
                problems.add("clock must be set");
            }
            if (listener == null) {
                problems.add("listener must be set (use RegistryListener.NONE)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid device registry settings: " + String.join("; ", problems));
            }
            return new DeviceRegistry(this);
        }
    }
}
