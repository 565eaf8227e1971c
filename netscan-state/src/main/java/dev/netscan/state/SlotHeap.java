package dev.netscan.state;

import java.util.Arrays;

/**
 * An indexed 8-ary min-heap of slot numbers ordered by a {@code long} key (epoch millis), with
 * each slot's position kept so that any slot's key can be changed, or the slot removed, in
 * O(log n). {@link DeviceRegistry} keeps its suspended devices by suspension end in one, and
 * {@link SeenOrder} the devices whose last-seen time arrived out of order.
 *
 * <p>Layout, chosen for a million devices where the lower levels are not in cache: each heap
 * entry is one {@code long} packing the key (relative to {@link #base}, 39 bits, about 17 years)
 * above the slot number (24 bits), so comparing entries compares keys (ties broken by slot) and
 * moving an entry is one store; the eight children of a node are 64 contiguous bytes, about one
 * cache line, and an 8-ary heap of a million entries is 7 levels deep instead of 20.
 *
 * <p>Keys outside the window {@code [base, base + MAX_REL]} are clamped; the owner keeps the
 * exact value elsewhere and uses the heap only for order. When a key beyond the window arrives,
 * the window slides forward ({@link #rebase}): a monotone map of every entry, so the heap stays
 * ordered. With the window centred on the creation time this happens after about 8 years.
 *
 * <p>Not thread-safe: the owning {@link DeviceRegistry} calls it under its lock. Allocation-free
 * except when it grows.
 */
final class SlotHeap {
    static final int ABSENT = -1;
    static final int SLOT_BITS = 24;
    /** The largest slot number + 1, hence the largest registry. */
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final long SLOT_MASK = MAX_SLOTS - 1L;
    static final long MAX_REL = (1L << (63 - SLOT_BITS)) - 1;
    private static final int LOG_D = 3;
    private static final int D = 1 << LOG_D;

    /** heap[i] = (key - base) << SLOT_BITS | slot, for i < size; heap order on the whole long. */
    private long[] heap;
    /** pos[slot] is the heap position of slot, or ABSENT. */
    private int[] pos;
    private int size;
    /** Keys are stored relative to this. */
    private long base;

    SlotHeap(int initialCapacity, long base) {
        int c = Math.max(D, initialCapacity);
        heap = new long[c];
        pos = new int[c];
        Arrays.fill(pos, ABSENT);
        this.base = base;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The smallest (stored, possibly clamped) key, or {@link Long#MAX_VALUE} when empty. */
    long minKey() {
        return size == 0 ? Long.MAX_VALUE : base + (heap[0] >>> SLOT_BITS);
    }

    /** The slot with the smallest key, or {@link #ABSENT} when empty. */
    int minSlot() {
        return size == 0 ? ABSENT : (int) (heap[0] & SLOT_MASK);
    }

    boolean contains(int slot) {
        return slot < pos.length && pos[slot] != ABSENT;
    }

    /** The stored (possibly clamped) key of a slot that is in the heap. */
    long key(int slot) {
        return base + (heap[pos[slot]] >>> SLOT_BITS);
    }

    /** Makes room for slot numbers below {@code capacity}. */
    void ensureSlotCapacity(int capacity) {
        if (capacity > pos.length) {
            int old = pos.length;
            int c = Math.min(MAX_SLOTS, Math.max(capacity, old + (old >> 1)));
            pos = Arrays.copyOf(pos, c);
            Arrays.fill(pos, old, c, ABSENT);
        }
    }

    /** Adds a slot that is not in the heap. */
    void insert(int slot, long key) {
        ensureSlotCapacity(slot + 1);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length + (heap.length >> 1));
        }
        siftUp(size++, entry(slot, key));
    }

    /** Changes the key of a slot that is in the heap. */
    void update(int slot, long key) {
        int i = pos[slot];
        long e = entry(slot, key);
        long old = heap[i];
        if (e > old) {
            siftDown(i, e);
        } else if (e < old) {
            siftUp(i, e);
        }
    }

    /** Removes a slot that is in the heap. */
    void remove(int slot) {
        int i = pos[slot];
        pos[slot] = ABSENT;
        int last = --size;
        if (i == last) {
            return;
        }
        long moved = heap[last];
        if (moved < heap[i]) {
            siftUp(i, moved);
        } else {
            siftDown(i, moved);
        }
    }

    /**
     * Renames slot {@code from} (in the heap) to {@code to} (not in the heap), keeping its key.
     * Ties are broken by slot number, so the entry may move among entries of the same key.
     */
    void renameSlot(int from, int to) {
        int i = pos[from];
        pos[from] = ABSENT;
        long old = heap[i];
        long e = (old & ~SLOT_MASK) | to;
        if (e < old) {
            siftUp(i, e);
        } else {
            siftDown(i, e);
        }
    }

    private long entry(int slot, long key) {
        long rel = key - base;
        if (rel > MAX_REL) {
            rebase(key);
            rel = key - base;
        }
        return (rel < 0 ? 0 : rel) << SLOT_BITS | slot;
    }

    /** Slides the key window so that {@code key} lands in its middle; order is preserved. */
    private void rebase(long key) {
        long delta = key - base - MAX_REL / 2;
        base += delta;
        for (int i = 0; i < size; i++) {
            long rel = (heap[i] >>> SLOT_BITS) - delta;
            heap[i] = (rel < 0 ? 0 : rel) << SLOT_BITS | (heap[i] & SLOT_MASK);
        }
    }

    private void siftUp(int i, long e) {
        long[] h = heap;
        int[] p = pos;
        while (i > 0) {
            int parent = (i - 1) >>> LOG_D;
            long pe = h[parent];
            if (pe <= e) {
                break;
            }
            h[i] = pe;
            p[(int) (pe & SLOT_MASK)] = i;
            i = parent;
        }
        h[i] = e;
        p[(int) (e & SLOT_MASK)] = i;
    }

    private void siftDown(int i, long e) {
        long[] h = heap;
        int[] p = pos;
        int n = size;
        while (true) {
            int first = (i << LOG_D) + 1;
            if (first >= n) {
                break;
            }
            int end = Math.min(first + D, n);
            // Branch-free minimum with its position (the comparisons are unpredictable): the
            // position comes from the children's line, already in cache, not from pos[], whose
            // entry for a random slot may be a cache miss on a large heap. (A three-level
            // tournament over the eight children measured slower than this loop.)
            long minE = h[first];
            int min = first;
            for (int c = first + 1; c < end; c++) {
                long v = h[c];
                boolean less = v < minE;
                minE = less ? v : minE;
                min = less ? c : min;
            }
            if (minE >= e) {
                break;
            }
            h[i] = minE;
            p[(int) (minE & SLOT_MASK)] = i;
            i = min;
        }
        h[i] = e;
        p[(int) (e & SLOT_MASK)] = i;
    }

    /**
     * Checks the heap order and the position index; {@code expectedKey} gives the exact key each
     * slot must have (compared after clamping to the window; null: not checked). Throws
     * {@link IllegalStateException} describing the first violation.
     */
    void checkInvariants(String name, java.util.function.IntToLongFunction expectedKey) {
        int inHeap = 0;
        for (int slot = 0; slot < pos.length; slot++) {
            if (pos[slot] != ABSENT) {
                inHeap++;
                int i = pos[slot];
                if (i >= size || (int) (heap[i] & SLOT_MASK) != slot) {
                    throw new IllegalStateException(name + ": pos[" + slot + "]=" + i + " but the entry there is "
                            + (i < size ? "slot " + (heap[i] & SLOT_MASK) : "beyond size " + size));
                }
            }
        }
        if (inHeap != size) {
            throw new IllegalStateException(name + ": " + inHeap + " slots indexed but size is " + size);
        }
        for (int i = 0; i < size; i++) {
            int slot = (int) (heap[i] & SLOT_MASK);
            if (expectedKey != null) {
                long rel = expectedKey.applyAsLong(slot) - base;
                long clamped = rel < 0 ? 0 : Math.min(rel, MAX_REL);
                if ((heap[i] >>> SLOT_BITS) != clamped) {
                    throw new IllegalStateException(name + ": slot " + slot + " has key " + key(slot)
                            + " but expected " + expectedKey.applyAsLong(slot));
                }
            }
            if (i > 0 && heap[(i - 1) >>> LOG_D] > heap[i]) {
                throw new IllegalStateException(name + ": heap order broken at position " + i);
            }
        }
    }
}
