package dev.netscan.state;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Device;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The storage under {@link DeviceRegistry}: every device as one dense slot in primitive arrays,
 * the map from address to slot, and the two slot orders (last seen, suspension end).
 *
 * <h2>Invariant</h2>
 * Slots {@code 0..size-1} are in use, densely: removing a device moves the last slot into the
 * hole, so the addresses are one contiguous run. For every slot in use, {@link #slotOf} maps its
 * address to it, {@link #bySeen} holds it keyed by its last seen, and {@link #byExpiry} holds it
 * exactly when its suspension end is non-zero, keyed by that end; {@link #suspendedCount} equals
 * {@code byExpiry.size()}. A cached snapshot equals the slot's data whenever it passes the
 * check that reads trust. {@link #checkTable()} verifies all of it.
 *
 * <h2>Layout</h2>
 * Eight longs per slot in {@link #data} (see the {@code D_*} offsets), so that everything an add,
 * a touch or a ping result changes is one 64-byte stretch of memory: a million devices do not fit
 * in cache, and a cache miss costs more than the rest of the operation. A million devices cost
 * about 110 MB and no object per device. The map packs address and slot in one {@code long} per
 * entry and is kept at most half full (short probe runs, docs/bench/registry.md).
 *
 * <p>This is a superclass rather than a field of the registry so that the hot paths reach the
 * arrays with the same single field load as before it was split out. Not thread-safe: every
 * method runs under the registry's lock, and the three volatile fields (published for lock-free
 * reads) are written only there.
 */
abstract sealed class DeviceTable permits DeviceRegistry {

    static final int NO_SLOT = -1;
    /**
     * Where IPv6 devices' keys come from: each IPv6 device held is an {@link AddressBook#acquire}
     * (in {@link #initSlot} and {@link #append}) released when it leaves ({@link #removeSlot},
     * and by the registry when it evicts).
     */
    static final AddressBook BOOK = AddressBook.shared();
    private static final VarHandle MOD_COUNT;

    static {
        try {
            MOD_COUNT = MethodHandles.lookup().findVarHandle(DeviceTable.class, "modCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final int INITIAL_SLOTS = 1024;

    static final int D_SHIFT = 3;
    static final int D_LAST_SEEN = 0;
    static final int D_FIRST_SEEN = 1;
    static final int D_SNMP_UPDATED = 2;
    /** End of the current suspension; 0 when not suspended, non-zero exactly when in byExpiry. */
    static final int D_SUSPENDED_UNTIL = 3;
    static final int D_IPV4 = 4;
    static final int D_STREAK = 5;
    static final int D_SUSPENSIONS = 6;
    static final int D_FLAGS = 7;
    static final long F_SNMP = 1;
    static final long F_STATS = 2;
    static final int R_SHIFT = 2;
    static final int R_SNMP = 0;
    static final int R_STATS = 1;
    static final int R_CACHED = 2;

    final int maxDevices;
    final IntSlotMap slotOf;
    /** Eight longs per slot: see the {@code D_*} offsets. Times are epoch millis. */
    long[] data;
    /**
     * Four references per slot: [R_SNMP] SnmpInfo (valid when F_SNMP is set), [R_STATS]
     * PingStats (valid when F_STATS is set), [R_CACHED] the Device snapshot handed out last
     * (valid when it still equals the slot's data; checked on read, so writers never touch this
     * array), [3] unused. Stale references of a reused slot are ignored, and dropped when
     * overwritten or when the slot is removed.
     */
    Object[] refs;
    /** Every slot in use, ordered by last-seen epoch millis: the eviction order. */
    final SeenOrder bySeen;
    /** The suspended slots, keyed by suspension end. */
    final SlotHeap byExpiry;

    /** Devices in use. Written under lock; read without it by {@link DeviceRegistry#size()}. */
    volatile int size;
    /** byExpiry.size(), published for lock-free reads. Written under lock. */
    volatile int suspendedCount;
    /** Bumped under lock (by the registry) on every change of membership or suspension state. */
    volatile long modCount;

    DeviceTable(int maxDevices, long now) {
        this.maxDevices = maxDevices;
        int initial = Math.min(maxDevices, INITIAL_SLOTS);
        this.slotOf = new IntSlotMap(initial);
        this.data = new long[initial << D_SHIFT];
        this.refs = new Object[initial << R_SHIFT];
        // Last-seen keys: a window of about 17 years centred on now (older keys only clamp the
        // order among devices not seen for 8 years). Expiry keys are never before now.
        this.bySeen = new SeenOrder(initial, now - SlotHeap.MAX_REL / 2);
        this.byExpiry = new SlotHeap(16, now);
    }

    /**
     * modCount + 1, published with a release store: only the lock holder writes it, and lock-free
     * readers need to see it no earlier than the changes it announces, which release order
     * gives; a volatile store would add a full fence (several nanoseconds on x86) to every add.
     */
    final void bumpModCount() {
        MOD_COUNT.setRelease(this, modCount + 1);
    }

    final void touchSlot(int s, long now) {
        int d = (s << D_SHIFT) + D_LAST_SEEN;
        if (now > data[d]) {
            data[d] = now;
            bySeen.update(s, now);
        }
    }

    final void initSlot(int s, int ipv4, long now) {
        if (AddressBook.isIpv6Key(ipv4)) {
            BOOK.acquire(ipv4);
        }
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
    final void removeSlot(int s) {
        int d = s << D_SHIFT;
        bySeen.remove(s);
        if (data[d + D_SUSPENDED_UNTIL] != 0) {
            byExpiry.remove(s);
            suspendedCount = byExpiry.size();
        }
        int key = (int) data[d + D_IPV4];
        slotOf.remove(key);
        if (AddressBook.isIpv6Key(key)) {
            BOOK.release(key);
        }
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

    /**
     * Appends loaded devices (into an empty table), least recently seen first: each device then
     * lands at the tail of the last-seen order (O(1)) rather than in its out-of-order heap; beyond
     * capacity, the most recent are kept. Suspensions that ended by {@code now} are dropped.
     */
    final void appendAll(List<Device> devices, long now) {
        List<Device> keep = new ArrayList<>(devices);
        keep.sort((a, b) -> Long.compare(a.lastSeenEpochMillis(), b.lastSeenEpochMillis()));
        if (keep.size() > maxDevices) {
            keep = keep.subList(keep.size() - maxDevices, keep.size());
        }
        for (Device d : keep) {
            append(d, now);
        }
        suspendedCount = byExpiry.size();
    }

    /**
     * Appends the devices not in the table while there is room (suspensions that ended by
     * {@code now} are dropped); returns the addresses appended.
     */
    final IntArrayList appendAbsent(Collection<Device> devices, long now) {
        IntArrayList added = new IntArrayList();
        for (Device d : devices) {
            if (size == maxDevices) {
                break;
            }
            if (slotOf.get(d.ipv4()) == NO_SLOT) {
                append(d, now);
                added.add(d.ipv4());
            }
        }
        suspendedCount = byExpiry.size();
        return added;
    }

    private void append(Device d, long now) {
        int s = size;
        if (s << D_SHIFT == data.length) {
            grow();
        }
        int t = s << D_SHIFT;
        if (AddressBook.isIpv6Key(d.ipv4())) {
            BOOK.acquire(d.ipv4());
        }
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

    /** Marks slot s suspended until {@code until} (non-zero); it must not be suspended already. */
    final void startSuspension(int s, long until) {
        data[(s << D_SHIFT) + D_SUSPENDED_UNTIL] = until;
        byExpiry.insert(s, until);
        suspendedCount = byExpiry.size();
    }

    /** Ends slot s's suspension, which must be in force. */
    final void endSuspension(int s) {
        byExpiry.remove(s);
        data[(s << D_SHIFT) + D_SUSPENDED_UNTIL] = 0;
        suspendedCount = byExpiry.size();
    }

    /** Copies the addresses of slots {@code 0..n-1} into {@code out}. */
    final void copyIpv4(int[] out, int n) {
        long[] d = data;
        for (int s = 0; s < n; s++) {
            out[s] = (int) d[(s << D_SHIFT) + D_IPV4];
        }
    }

    /** The cached snapshot if it still matches the slot, else a new one (then cached). */
    final Device snapshotOf(int s) {
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

    final void grow() {
        int slots = data.length >> D_SHIFT;
        int c = (int) Math.min(maxDevices, Math.max(16L, slots + ((long) slots >> 1)));
        data = Arrays.copyOf(data, c << D_SHIFT);
        refs = Arrays.copyOf(refs, c << R_SHIFT);
        bySeen.ensureSlotCapacity(c);
        byExpiry.ensureSlotCapacity(c);
    }

    /**
     * Checks the invariant in the class documentation (map and slots agree, both orders ordered
     * and indexed, keys match the per-slot values, counts exact) and throws
     * {@link IllegalStateException} naming the first violation. For tests; caller holds the lock.
     */
    final void checkTable() {
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
    }
}
