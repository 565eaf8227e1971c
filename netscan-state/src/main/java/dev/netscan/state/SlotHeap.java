package dev.netscan.state;

import java.util.Arrays;

/**
 * An indexed 4-ary min-heap of slot numbers ordered by a {@code long} key, with each slot's
 * position kept so that any slot's key can be changed or the slot removed in O(log n).
 *
 * <p>Keys live inline beside the slots ({@code keys[i]} is the key of {@code slots[i]}), so a
 * sift compares keys without chasing the slot number, and the four children of a node sit next
 * to each other in memory: a level costs about one cache line, and a 4-ary heap has half the
 * levels of a binary one. Both matter at a million devices, where the lower levels are not in
 * cache.
 *
 * <p>Not thread-safe: the owning {@link DeviceRegistry} calls it under its lock. Allocation-free
 * except when {@link #ensureSlotCapacity(int)} or an insert grows the arrays.
 */
final class SlotHeap {
    static final int ABSENT = -1;

    /** keys[i] is the key of the slot at heap position i; valid for i < size. */
    private long[] keys;
    /** slots[i] is the slot at heap position i; valid for i < size. */
    private int[] slots;
    /** pos[slot] is the heap position of slot, or ABSENT. */
    private int[] pos;
    private int size;

    SlotHeap(int initialCapacity) {
        int c = Math.max(4, initialCapacity);
        keys = new long[c];
        slots = new int[c];
        pos = new int[c];
        Arrays.fill(pos, ABSENT);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The smallest key, or {@link Long#MAX_VALUE} when empty. */
    long minKey() {
        return size == 0 ? Long.MAX_VALUE : keys[0];
    }

    /** The slot with the smallest key, or {@link #ABSENT} when empty. */
    int minSlot() {
        return size == 0 ? ABSENT : slots[0];
    }

    boolean contains(int slot) {
        return slot < pos.length && pos[slot] != ABSENT;
    }

    /** The key of a slot that is in the heap. */
    long key(int slot) {
        return keys[pos[slot]];
    }

    /** Makes room for slot numbers below {@code capacity}. */
    void ensureSlotCapacity(int capacity) {
        if (capacity > pos.length) {
            int old = pos.length;
            int c = Math.max(capacity, old + (old >> 1));
            pos = Arrays.copyOf(pos, c);
            Arrays.fill(pos, old, c, ABSENT);
            keys = Arrays.copyOf(keys, c);
            slots = Arrays.copyOf(slots, c);
        }
    }

    /** Adds a slot that is not in the heap. */
    void insert(int slot, long key) {
        ensureSlotCapacity(slot + 1);
        if (size == keys.length) {
            int c = keys.length + (keys.length >> 1);
            keys = Arrays.copyOf(keys, c);
            slots = Arrays.copyOf(slots, c);
        }
        siftUp(size++, slot, key);
    }

    /** Changes the key of a slot that is in the heap. */
    void update(int slot, long key) {
        int i = pos[slot];
        long old = keys[i];
        if (key > old) {
            siftDown(i, slot, key);
        } else if (key < old) {
            siftUp(i, slot, key);
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
        int movedSlot = slots[last];
        long movedKey = keys[last];
        if (movedKey < keys[i]) {
            siftUp(i, movedSlot, movedKey);
        } else {
            siftDown(i, movedSlot, movedKey);
        }
    }

    /** Renames slot {@code from} (in the heap) to {@code to} (not in the heap), keeping its key. */
    void renameSlot(int from, int to) {
        int i = pos[from];
        pos[from] = ABSENT;
        pos[to] = i;
        slots[i] = to;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            pos[slots[i]] = ABSENT;
        }
        size = 0;
    }

    private void siftUp(int i, int slot, long key) {
        long[] k = keys;
        int[] s = slots;
        int[] p = pos;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pk = k[parent];
            if (pk <= key) {
                break;
            }
            int ps = s[parent];
            k[i] = pk;
            s[i] = ps;
            p[ps] = i;
            i = parent;
        }
        k[i] = key;
        s[i] = slot;
        p[slot] = i;
    }

    private void siftDown(int i, int slot, long key) {
        long[] k = keys;
        int[] s = slots;
        int[] p = pos;
        int n = size;
        while (true) {
            int first = (i << 2) + 1;
            if (first >= n) {
                break;
            }
            int min = first;
            long minKey = k[first];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long ck = k[c];
                if (ck < minKey) {
                    minKey = ck;
                    min = c;
                }
            }
            if (minKey >= key) {
                break;
            }
            int ms = s[min];
            k[i] = minKey;
            s[i] = ms;
            p[ms] = i;
            i = min;
        }
        k[i] = key;
        s[i] = slot;
        p[slot] = i;
    }

    /**
     * Checks the heap property and the position index; {@code expectedKey} gives the key each
     * slot must have (null: not checked). Throws {@link IllegalStateException} describing the first violation.
     */
    void checkInvariants(String name, java.util.function.IntToLongFunction expectedKey) {
        int inHeap = 0;
        for (int slot = 0; slot < pos.length; slot++) {
            if (pos[slot] != ABSENT) {
                inHeap++;
                int i = pos[slot];
                if (i >= size || slots[i] != slot) {
                    throw new IllegalStateException(name + ": pos[" + slot + "]=" + i + " but slots there is "
                            + (i < size ? slots[i] : "beyond size " + size));
                }
            }
        }
        if (inHeap != size) {
            throw new IllegalStateException(name + ": " + inHeap + " slots indexed but size is " + size);
        }
        for (int i = 0; i < size; i++) {
            if (expectedKey != null && keys[i] != expectedKey.applyAsLong(slots[i])) {
                throw new IllegalStateException(name + ": slot " + slots[i] + " has key " + keys[i]
                        + " but expected " + expectedKey.applyAsLong(slots[i]));
            }
            if (i > 0 && keys[(i - 1) >>> 2] > keys[i]) {
                throw new IllegalStateException(name + ": heap order broken at position " + i);
            }
        }
    }
}
