package dev.netscan.discovery.icmp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer ring of {@code int}s (probe slots handed from the receiver
 * thread back to the sender). Capacity is a power of two at least the number of slots, so an
 * offer of a slot that is in flight can never find the ring full. Package-private: a part of
 * {@link Transceiver}.
 *
 * <p>Thread safety: exactly one thread calls {@link #offer}, exactly one calls {@link #poll}.
 *
 * <p>Layout: {@code head} (written by the consumer) and {@code tail} (written by the producer)
 * sit on cache lines of their own, 128 bytes of padding on either side (two lines, against the
 * adjacent-line prefetcher), so one side's writes do not invalidate the line the other side
 * writes. HotSpot lays a superclass's fields before a subclass's, so the padding is a chain of
 * classes, as JCTools pads its queues; the immutable {@code items} and {@code mask} come first.
 */
final class SlotRing extends SlotRingTail {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SlotRingHead.class, "head", long.class);
            TAIL = l.findVarHandle(SlotRingTail.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;

    /** A ring of at least {@code minCapacity} entries (rounded up to a power of two, at least 2). */
    SlotRing(int minCapacity) {
        super(Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1);
    }

    /** Producer only. Returns false when full (cannot happen when sized for every slot). */
    boolean offer(int value) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) >= items.length) {
            return false;
        }
        items[(int) t & mask] = value;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer only. Returns -1 when empty. */
    int poll() {
        long h = (long) HEAD.getOpaque(this);
        if (h >= (long) TAIL.getAcquire(this)) {
            return -1;
        }
        int v = items[(int) h & mask];
        HEAD.setRelease(this, h + 1);
        return v;
    }

    /** Approximate number of items (exact when called by either side with the other idle). */
    int size() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }

    /** Number of entries the ring holds. */
    int capacity() {
        return items.length;
    }
}

/** Immutable fields, then padding before {@code head}. */
abstract class SlotRingFields {
    /** Entries; entry {@code i & mask} is written by the producer before its release of {@code tail}. */
    final int[] items;
    final int mask;
    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;

    SlotRingFields(int capacity) {
        items = new int[capacity];
        mask = capacity - 1;
    }
}

/** The consumer's index. */
abstract class SlotRingHead extends SlotRingFields {
    /**
     * Next entry to poll. Written by the consumer only (release, after reading the entry); read
     * by the producer with acquire (so it never overwrites an entry not yet read).
     */
    @SuppressWarnings("unused") long head;

    SlotRingHead(int capacity) {
        super(capacity);
    }
}

/** Padding between {@code head} and {@code tail}. */
abstract class SlotRingHeadPad extends SlotRingHead {
    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;

    SlotRingHeadPad(int capacity) {
        super(capacity);
    }
}

/** The producer's index. */
abstract class SlotRingTail extends SlotRingHeadPad {
    /**
     * Next entry to offer. Written by the producer only (release, after writing the entry); read
     * by the consumer with acquire (so the entry it then reads is the one written).
     */
    @SuppressWarnings("unused") long tail;

    SlotRingTail(int capacity) {
        super(capacity);
    }
}
