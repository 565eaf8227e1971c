package dev.netscan.state;

import dev.netscan.core.AddressBook;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The single source of truth for the devices netscan knows, keyed by an {@code int}: an IPv4
 * device by its address, an IPv6 device by its key in {@link AddressBook#shared()} (inside
 * 240.0.0.0/4; intern the address there, then add the key: {@link #add(java.net.Inet6Address)}
 * does both). The registry holds each IPv6 key it keeps, so the book keeps its address.
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
 * State is held in primitive arrays, one 64-byte stretch per device (see {@code DeviceTable}),
 * so a million devices cost about 110 MB and no object per device.
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
public final class DeviceRegistry extends DeviceTable implements AutoCloseable {

    /** What {@link #lastSeen(int)} and the other per-device accessors return for an unknown device. */
    public static final long NOT_FOUND = -1L;

    private static final Duration MAX_SUSPENSION = Duration.ofDays(365);

    private final int failureThreshold;
    private final long suspendBaseMillis;
    private final long suspendMaxMillis;
    private final LongSupplier clock;
    private final RegistryListener listener;
    private final boolean expiryTimer;

    /** Guards every field below that is not volatile. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Applies suspension ends as they happen, if enabled in the builder. */
    private final ExpiryTimer timer;

    /** Listener exceptions swallowed. Written under lock. */
    private volatile long listenerFailures;

    private DeviceRegistry(Builder b) {
        super(b.maxDevices, b.clock.getAsLong());
        this.failureThreshold = b.failureThreshold;
        this.suspendBaseMillis = b.suspendBase.toMillis();
        this.suspendMaxMillis = b.suspendMax.toMillis();
        this.clock = b.clock;
        this.listener = b.listener;
        this.expiryTimer = b.expiryTimer;
        this.timer = new ExpiryTimer(lock, clock, now -> {
            expireDue(now);
            return byExpiry.minKey();
        });
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
     * @throws IllegalArgumentException for a key in 240.0.0.0/4 that the address book does not know
     */
    public boolean add(int ipv4, long seenEpochMillis) {
        if (AddressBook.isIpv6Key(ipv4) && !BOOK.resolves(ipv4)) {
            throw new IllegalArgumentException(Ipv4.format(ipv4) + " is in 240.0.0.0/4, the range of IPv6 keys, and is "
                    + "not a key of the address book (class E addresses are never devices)");
        }
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
                if (AddressBook.isIpv6Key(evictedIp)) {
                    BOOK.release(evictedIp);
                }
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
     * Adds an IPv6 device seen now (interning its address in {@link AddressBook#shared()}), or
     * touches it if already known.
     *
     * @return the device's key
     */
    public int add(java.net.Inet6Address address) {
        int key = BOOK.intern(address);
        add(key);
        return key;
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
                endSuspension(s);
                bumpModCount();
                notifyResumed(ipv4, false);
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
            startSuspension(s, until);
            bumpModCount();
            if (expiryTimer) {
                timer.suspended(byExpiry.minSlot() == s);
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
            throw new IllegalArgumentException("ping stats for " + BOOK.text(stats.ipv4())
                    + " given for device " + BOOK.text(ipv4));
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
            copyIpv4(into.elements(), n);
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
            copyIpv4(into, Math.min(n, into.length));
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

    /**
     * Adds devices with the state another instance kept for them (a fleet member's changelog):
     * seen times, SNMP identity, failure streak, suspension (one that ended by now is dropped).
     * A device already known is left as it is; nothing is evicted (when full, the rest is not
     * added). Fires {@link RegistryListener#onAdded} for each device added; returns how many.
     */
    public int restore(Collection<Device> devices) {
        lock.lock();
        try {
            long now = clock.getAsLong();
            expireDue(now);
            IntArrayList added = appendAbsent(devices, now);
            if (!added.isEmpty()) {
                bumpModCount();
                if (expiryTimer && suspendedCount > 0) {
                    timer.suspended(true);
                }
            }
            added.forEach(this::notifyAdded);
            return added.size();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops the expiry timer (bounded wait of one second). Idempotent. */
    @Override
    public void close() {
        timer.close();
    }

    // ---------------------------------------------------------------- internals (under lock)

    private int expireDue(long now) {
        if (byExpiry.minKey() > now) {
            return 0;
        }
        int ended = 0;
        while (byExpiry.minKey() <= now) {
            int s = byExpiry.minSlot();
            endSuspension(s);
            ended++;
            bumpModCount();
            notifyResumed((int) data[(s << D_SHIFT) + D_IPV4], true);
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

    private void loadAll(List<Device> devices) {
        lock.lock();
        try {
            appendAll(devices, clock.getAsLong());
            bumpModCount();
            if (expiryTimer && !byExpiry.isEmpty()) {
                timer.start();
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #checkTable()} under the lock. For tests. */
    void checkInvariants() {
        lock.lock();
        try {
            checkTable();
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

    private void notifyResumed(int ipv4, boolean expired) {
        try {
            listener.onResumed(ipv4, expired);
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
