package dev.netscan.state;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * The eviction order of a {@link DeviceRegistry}: the slots in use ordered by last-seen time
 * (epoch millis), with the least recently seen one found in O(1).
 *
 * <p>Why not only a heap: last-seen times almost always arrive in order (the wall clock, or reply
 * timestamps), so the device just seen is the most recent of all. A heap makes that device sink
 * to the bottom, one cache line per level, and at a million devices the lower levels and the
 * position index do not fit in cache: every add paid several memory misses. Here such a slot is
 * appended to the tail of a doubly-linked list that stays sorted by time, and the least recently
 * seen is the list's head: add-with-eviction, touch and remove are O(1) and touch the slot's own
 * node, its two neighbours' and the tail's (which the previous operation left in cache).
 *
 * <p>A time earlier than the tail's (a caller-supplied timestamp that arrives late, a wall clock
 * stepping back, a snapshot loaded out of order) cannot be appended without breaking the list's
 * order, so that slot goes into an indexed min-heap ({@link SlotHeap}) instead, in O(log n); the
 * least recently seen is then the earlier of the list's head and the heap's minimum. So every
 * operation is O(1) while times arrive in order and O(log n) at worst. Among equal times the
 * order is unspecified (in practice: the list in arrival order).
 *
 * <p>Layout: two {@code long}s per slot in one array, the key (exact last seen) and the links
 * ({@code LINKED | (prev + 1) << 32 | (next + 1)}, or {@code IN_HEAP}, or 0 when the slot is
 * not in the order), so a slot's node is 16 bytes in one cache line.
 *
 * <p>Not thread-safe: the owning {@link DeviceRegistry} calls it under its lock. Allocation-free
 * except when it grows (and when the heap first takes out-of-order slots).
 */
final class SeenOrder {
    static final int ABSENT = -1;
    private static final long LINKED = 1L << 62;
    private static final long IN_HEAP = 1L << 61;
    /** The next field (next + 1); the prev field (prev + 1) is at bits 32-60. */
    private static final long LINK_MASK = 0xFFFF_FFFFL;
    private static final long PREV_MASK = 0x1FFF_FFFFL << 32;

    /** node[2s] = last seen of slot s; node[2s + 1] = its links or {@code IN_HEAP} or 0. */
    private long[] node;
    /** List ends, ABSENT when the list is empty. */
    private int head = ABSENT;
    private int tail = ABSENT;
    private int listSize;
    /** The slots whose time arrived out of order. */
    private final SlotHeap late;

    /**
     * @param initialCapacity slot numbers below this need no growth
     * @param heapBase the base of the out-of-order heap's key window (see {@link SlotHeap})
     */
    SeenOrder(int initialCapacity, long heapBase) {
        node = new long[Math.max(1, initialCapacity) << 1];
        late = new SlotHeap(16, heapBase);
    }

    int size() {
        return listSize + late.size();
    }

    boolean contains(int slot) {
        return (slot << 1) < node.length && node[(slot << 1) + 1] != 0;
    }

    /** The exact key of a slot in the order. */
    long key(int slot) {
        return node[slot << 1];
    }

    /** Makes room for slot numbers below {@code capacity}. */
    void ensureSlotCapacity(int capacity) {
        if (capacity << 1 > node.length) {
            int old = node.length >> 1;
            int c = Math.min(SlotHeap.MAX_SLOTS, Math.max(capacity, old + (old >> 1)));
            node = Arrays.copyOf(node, c << 1);
        }
    }

    /** The least recently seen slot, or {@link #ABSENT} when empty. */
    int minSlot() {
        if (late.isEmpty()) {
            return head;
        }
        int h = late.minSlot();
        return head == ABSENT || node[h << 1] <= node[head << 1] ? h : head;
    }

    /** The smallest key, or {@link Long#MAX_VALUE} when empty. */
    long minKey() {
        int s = minSlot();
        return s == ABSENT ? Long.MAX_VALUE : node[s << 1];
    }

    /** Adds a slot that is not in the order. */
    void insert(int slot, long key) {
        ensureSlotCapacity(slot + 1);
        long[] n = node;
        n[slot << 1] = key;
        int t = tail;
        if (t == ABSENT) {
            n[(slot << 1) + 1] = LINKED;
            head = slot;
            tail = slot;
            listSize++;
        } else if (key >= n[t << 1]) {
            n[(t << 1) + 1] += slot + 1; // t's next was none (0)
            n[(slot << 1) + 1] = LINKED | (long) (t + 1) << 32;
            tail = slot;
            listSize++;
        } else {
            n[(slot << 1) + 1] = IN_HEAP;
            late.insert(slot, key);
        }
    }

    /** Moves a slot that is in the order to a new key. */
    void update(int slot, long key) {
        long[] n = node;
        int i = slot << 1;
        if (slot == tail && key >= n[i]) {
            n[i] = key; // still the latest
        } else if (n[i + 1] == IN_HEAP && (tail == ABSENT || key < n[tail << 1])) {
            n[i] = key;
            late.update(slot, key);
        } else {
            remove(slot);
            insert(slot, key);
        }
    }

    /** Removes a slot that is in the order. */
    void remove(int slot) {
        long[] n = node;
        int i = slot << 1;
        long links = n[i + 1];
        n[i + 1] = 0;
        if (links == IN_HEAP) {
            late.remove(slot);
            return;
        }
        int prev = prevOf(links);
        int next = nextOf(links);
        if (prev == ABSENT) {
            head = next;
        } else {
            n[(prev << 1) + 1] = n[(prev << 1) + 1] & ~LINK_MASK | (next + 1L);
        }
        if (next == ABSENT) {
            tail = prev;
        } else {
            n[(next << 1) + 1] = n[(next << 1) + 1] & ~PREV_MASK | (long) (prev + 1) << 32;
        }
        listSize--;
    }

    /**
     * Renames slot {@code from} (in the order) to {@code to} (not in it), keeping its key and its
     * place.
     */
    void renameSlot(int from, int to) {
        ensureSlotCapacity(to + 1);
        long[] n = node;
        long links = n[(from << 1) + 1];
        n[to << 1] = n[from << 1];
        n[(to << 1) + 1] = links;
        n[(from << 1) + 1] = 0;
        if (links == IN_HEAP) {
            late.ensureSlotCapacity(to + 1);
            late.renameSlot(from, to);
            return;
        }
        int prev = prevOf(links);
        int next = nextOf(links);
        if (prev == ABSENT) {
            head = to;
        } else {
            n[(prev << 1) + 1] = n[(prev << 1) + 1] & ~LINK_MASK | (to + 1L);
        }
        if (next == ABSENT) {
            tail = to;
        } else {
            n[(next << 1) + 1] = n[(next << 1) + 1] & ~PREV_MASK | (long) (to + 1) << 32;
        }
    }

    private static int prevOf(long links) {
        return (int) ((links & PREV_MASK) >>> 32) - 1;
    }

    private static int nextOf(long links) {
        return (int) (links & LINK_MASK) - 1;
    }

    /**
     * Checks the list (links agree both ways, ends right, times non-decreasing), the heap, that
     * every slot is in exactly one of them and, if {@code expectedKey} is given, that each slot's
     * key is the expected one. Throws {@link IllegalStateException} naming the first violation.
     */
    void checkInvariants(String name, IntToLongFunction expectedKey) {
        int count = 0;
        int prev = ABSENT;
        for (int s = head; s != ABSENT; s = nextOf(node[(s << 1) + 1])) {
            long links = node[(s << 1) + 1];
            if ((links & LINKED) == 0 || (links & IN_HEAP) != 0) {
                throw new IllegalStateException(name + ": slot " + s + " reached through the list is not marked linked");
            }
            if (prevOf(links) != prev) {
                throw new IllegalStateException(name + ": slot " + s + " has prev " + prevOf(links) + ", expected " + prev);
            }
            if (prev != ABSENT && node[prev << 1] > node[s << 1]) {
                throw new IllegalStateException(name + ": list out of order at slot " + s);
            }
            if (expectedKey != null && node[s << 1] != expectedKey.applyAsLong(s)) {
                throw new IllegalStateException(name + ": slot " + s + " has key " + node[s << 1] + " but expected "
                        + expectedKey.applyAsLong(s));
            }
            if (++count > listSize) {
                throw new IllegalStateException(name + ": list longer than its size " + listSize + " (a cycle?)");
            }
            prev = s;
        }
        if (count != listSize || prev != tail) {
            throw new IllegalStateException(name + ": list walk found " + count + " slots ending at " + prev
                    + ", but size is " + listSize + " and tail " + tail);
        }
        int linked = 0;
        for (int s = 0; s < node.length >> 1; s++) {
            long links = node[(s << 1) + 1];
            if (links == IN_HEAP) {
                if (!late.contains(s)) {
                    throw new IllegalStateException(name + ": slot " + s + " marked in the heap but is not");
                }
            } else if (links != 0) {
                linked++;
            } else if (late.contains(s)) {
                throw new IllegalStateException(name + ": slot " + s + " in the heap but not marked so");
            }
        }
        if (linked != listSize) {
            throw new IllegalStateException(name + ": " + linked + " slots marked linked but the list holds " + listSize);
        }
        late.checkInvariants(name + " (out-of-order heap)", expectedKey);
        if (expectedKey != null) {
            for (int s = 0; s < node.length >> 1; s++) {
                if (node[(s << 1) + 1] == IN_HEAP && node[s << 1] != expectedKey.applyAsLong(s)) {
                    throw new IllegalStateException(name + ": slot " + s + " in the heap has key " + node[s << 1]
                            + " but expected " + expectedKey.applyAsLong(s));
                }
            }
        }
    }
}
