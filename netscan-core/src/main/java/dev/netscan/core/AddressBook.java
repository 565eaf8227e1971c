package dev.netscan.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gives each IPv6 device address an {@code int} key, so that everything keyed by a device's
 * {@code int} (the registry, the ping scheduler, the writer, the API) holds IPv6 devices beside
 * IPv4 ones without a second code path and without slowing the IPv4 one.
 *
 * <h2>Keys</h2>
 * An IPv4 address is its own key ({@link Ipv4}). An IPv6 address is <em>interned</em> to a
 * synthetic key inside {@code 240.0.0.0/4} (class E: reserved by RFC 1112 and RFC 6890, never a
 * device's address; configuration refuses it in {@code networks}): {@code 0xF0000000 | slot}.
 * {@link #isIpv6Key(int)} tells the families apart with one shift. Keys mean something only in
 * this process: snapshots store the real IPv6 address and intern it again when loaded.
 *
 * <h2>One book per process</h2>
 * {@link #shared()} is the book every module uses. It is process-wide state on purpose, like
 * {@code String.intern}: a key is a name that the registry, the scheduler, the writer and any
 * embedder's {@link MetricsSink} must all read the same way, and records such as
 * {@link PingResult} carry only the key. Several services in one JVM share it safely: interning
 * the same address gives the same key, and entries are reference counted.
 *
 * <h2>Lifetime of an entry</h2>
 * A registry {@link #acquire acquires} the key of each IPv6 device it holds and
 * {@link #release releases} it when the device leaves. An entry nobody holds (released, or
 * interned by a sweep and never registered) is kept for a grace period (10 minutes in the shared
 * book) so results still in flight and points still queued resolve, then retired; its slot is
 * reused only after that. Interning an address again during the grace period gives the old key
 * back. Memory is therefore bounded by the devices held plus the addresses seen in the last grace
 * period.
 *
 * <h2>Text</h2>
 * {@link #text(int)} gives dotted-quad for IPv4 keys and the RFC 5952 canonical form for IPv6
 * (lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}, the
 * first on a tie; a zone as {@code %interface} when the address has one): {@link Ipv6#format},
 * the same text as Guava's {@code InetAddresses.toAddrString}.
 *
 * <p>Thread-safe: every method takes the book's monitor for a few dozen nanoseconds; lookups by
 * key allocate nothing.
 */
public final class AddressBook {
    /** What {@link #idOf(Inet6Address)} returns for an address not in the book (0.0.0.0 is never a device). */
    public static final int NONE = 0;
    /** Bytes {@link #copyText} may write at most: 39 for the address, a zone of up to 24. */
    public static final int MAX_TEXT_BYTES = 64;
    /** Keys {@code 0xF0000000 | slot} for slots below this. */
    static final int MAX_SLOTS = 1 << 28;
    private static final long SHARED_GRACE_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final AddressBook SHARED = new AddressBook(System::nanoTime, SHARED_GRACE_NANOS);

    private final LongSupplier nanoTime;
    private final long graceNanos;
    // ---- guarded by this
    private final Map<Inet6Address, Entry> byAddress = new HashMap<>();
    private Entry[] bySlot = new Entry[64];
    private int highWater;
    private int[] freeSlots = new int[16];
    private int freeCount;
    /** When entries became idle, oldest first; a node whose entry became idle again since is stale. */
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();

    AddressBook(LongSupplier nanoTime, long graceNanos) {
        this.nanoTime = nanoTime;
        this.graceNanos = graceNanos;
    }

    /** The process-wide book. */
    public static AddressBook shared() {
        return SHARED;
    }

    /** True when {@code key} is in 240.0.0.0/4, the range of IPv6 keys. */
    public static boolean isIpv6Key(int key) {
        return (key >>> 28) == 0xF;
    }

    /**
     * The key of {@code address}: an existing one, else a new one (held by nobody until
     * {@link #acquire acquired}).
     *
     * @throws IllegalStateException when 2^28 IPv6 addresses are held or in their grace period
     */
    public synchronized int intern(Inet6Address address) {
        Entry e = byAddress.get(address);
        if (e != null) {
            if (e.refs == 0) {
                idleFrom(e, nanoTime.getAsLong()); // seen again: a fresh grace period
            }
            return e.key;
        }
        long now = nanoTime.getAsLong();
        retire(now);
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (highWater == MAX_SLOTS) {
                throw new IllegalStateException("address book full: " + MAX_SLOTS + " IPv6 addresses held or in their grace period");
            }
            slot = highWater++;
            if (slot == bySlot.length) {
                bySlot = Arrays.copyOf(bySlot, bySlot.length * 2);
            }
        }
        e = new Entry(0xF000_0000 | slot, address, Ipv6.format(address));
        bySlot[slot] = e;
        byAddress.put(address, e);
        idleFrom(e, now);
        return e.key;
    }

    /**
     * The key of any address: the address itself for IPv4 (whatever its range: callers that
     * register devices refuse 240.0.0.0/4 themselves), {@link #intern} for IPv6.
     */
    public int keyOf(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        }
        return intern((Inet6Address) address);
    }

    /** The key of {@code address} if it is in the book, else {@link #NONE}. Never adds. */
    public synchronized int idOf(Inet6Address address) {
        Entry e = byAddress.get(address);
        return e == null ? NONE : e.key;
    }

    /** The IPv6 address of {@code key}, or null for an IPv4 key or a key not (or no longer) in the book. */
    public synchronized Inet6Address ipv6(int key) {
        Entry e = entry(key);
        return e == null ? null : e.address;
    }

    /**
     * The address of {@code key}: an {@link Inet4Address} for IPv4 keys, the {@link Inet6Address}
     * for IPv6 keys in the book, null for an IPv6 key no longer in it.
     */
    public InetAddress inetAddress(int key) {
        if (!isIpv6Key(key)) {
            try {
                return InetAddress.getByAddress(new byte[] {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key});
            } catch (UnknownHostException e) {
                throw new AssertionError("four bytes are always an IPv4 address", e);
            }
        }
        return ipv6(key);
    }

    /** True when {@code key} is an IPv4 key or an IPv6 key in the book. */
    public synchronized boolean resolves(int key) {
        return !isIpv6Key(key) || entry(key) != null;
    }

    /**
     * The address of {@code key} as text: dotted-quad for IPv4, RFC 5952 for IPv6; an IPv6 key no
     * longer in the book (which only a key kept past the grace period can be) gives its
     * dotted-quad form.
     */
    public String text(int key) {
        if (!isIpv6Key(key)) {
            return Ipv4.format(key);
        }
        synchronized (this) {
            Entry e = entry(key);
            return e == null ? Ipv4.format(key) : e.text;
        }
    }

    /**
     * Copies the ASCII text of an IPv6 key into {@code dst} at {@code offset} (at most
     * {@link #MAX_TEXT_BYTES} bytes), allocation-free.
     *
     * @return the number of bytes written, or -1 (nothing written) when {@code key} is an IPv4 key
     *     or not in the book
     */
    public synchronized int copyText(int key, byte[] dst, int offset) {
        Entry e = entry(key);
        if (e == null) {
            return -1;
        }
        System.arraycopy(e.ascii, 0, dst, offset, e.ascii.length);
        return e.ascii.length;
    }

    /**
     * Holds {@code key}'s entry (a registry holding the device). No-op for IPv4 keys.
     *
     * @throws IllegalArgumentException for an IPv6 key not in the book
     */
    public synchronized void acquire(int key) {
        if (!isIpv6Key(key)) {
            return;
        }
        Entry e = entry(key);
        if (e == null) {
            throw new IllegalArgumentException(Ipv4.format(key) + " is in 240.0.0.0/4, the range of IPv6 keys, "
                    + "and is not an IPv6 address of the address book");
        }
        e.refs++;
    }

    /** Lets go of one {@link #acquire}; the entry is retired a grace period after nobody holds it. No-op for IPv4 keys. */
    public synchronized void release(int key) {
        Entry e = entry(key);
        if (e == null || e.refs == 0) {
            return;
        }
        if (--e.refs == 0) {
            long now = nanoTime.getAsLong();
            idleFrom(e, now);
            retire(now);
        }
    }

    /** Entries in the book (held or in their grace period). */
    public synchronized int size() {
        return byAddress.size();
    }

    private Entry entry(int key) {
        if (!isIpv6Key(key)) {
            return null;
        }
        int slot = key & (MAX_SLOTS - 1);
        return slot < highWater ? bySlot[slot] : null;
    }

    private void idleFrom(Entry e, long now) {
        e.idleSinceNanos = now;
        idle.addLast(new Idle(e, now));
    }

    /** Drops entries idle for the whole grace period. Under the monitor. */
    private void retire(long now) {
        Idle n;
        while ((n = idle.peekFirst()) != null && now - n.since >= graceNanos) {
            idle.pollFirst();
            Entry e = n.entry;
            int slot = e.key & (MAX_SLOTS - 1);
            if (e.refs != 0 || e.idleSinceNanos != n.since || bySlot[slot] != e) {
                continue; // held, idle again since (a later node stands for it), or already retired
            }
            byAddress.remove(e.address);
            bySlot[slot] = null;
            if (freeCount == freeSlots.length) {
                freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
            }
            freeSlots[freeCount++] = slot;
        }
    }

    private record Idle(Entry entry, long since) {}

    /** One IPv6 address's key and text. Mutable fields guarded by the book's monitor. */
    private static final class Entry {
        final int key;
        final Inet6Address address;
        final String text;
        final byte[] ascii;
        int refs;
        long idleSinceNanos;

        Entry(int key, Inet6Address address, String text) {
            this.key = key;
            this.address = address;
            this.text = text;
            byte[] a = text.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < a.length; i++) {
                byte c = a[i];
                boolean plain = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                        || c == ':' || c == '.' || c == '%' || c == '_' || c == '-';
                if (!plain) {
                    a[i] = '_'; // a zone (interface name) with a character line protocol or JSON would escape
                }
            }
            this.ascii = a.length <= MAX_TEXT_BYTES ? a : Arrays.copyOf(a, MAX_TEXT_BYTES);
        }
    }
}
