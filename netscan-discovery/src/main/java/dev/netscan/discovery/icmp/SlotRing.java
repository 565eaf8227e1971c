package dev.netscan.discovery.icmp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer ring of {@code int}s (probe slots handed from the receiver
 * thread back to the sender). Capacity is a power of two at least the number of slots, so an
 * offer of a slot that is in flight can never find the ring full. Internal to netscan-discovery.
 *
 * <p>Thread safety: exactly one thread calls {@link #offer}, exactly one calls {@link #poll};
 * {@code tail} is written by the producer with release semantics and read by the consumer with
 * acquire, {@code head} the other way round.
 */
public final class SlotRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SlotRing.class, "head", long.class);
            TAIL = l.findVarHandle(SlotRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] items;
    private final int mask;
    @SuppressWarnings("unused") private long head;
    @SuppressWarnings("unused") private long tail;

    public SlotRing(int minCapacity) {
        int cap = Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1;
        items = new int[cap];
        mask = cap - 1;
    }

    /** Producer only. Returns false when full (cannot happen when sized for every slot). */
    public boolean offer(int value) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) >= items.length) {
            return false;
        }
        items[(int) t & mask] = value;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer only. Returns -1 when empty. */
    public int poll() {
        long h = (long) HEAD.getOpaque(this);
        if (h >= (long) TAIL.getAcquire(this)) {
            return -1;
        }
        int v = items[(int) h & mask];
        HEAD.setRelease(this, h + 1);
        return v;
    }

    /** Approximate number of items (exact when called by either side with the other idle). */
    public int size() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }
}
