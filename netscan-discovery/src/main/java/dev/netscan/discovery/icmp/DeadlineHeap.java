package dev.netscan.discovery.icmp;

import java.util.Arrays;

/**
 * An indexed binary min-heap of probe slots keyed by deadline (monotonic nanoseconds), in
 * primitive arrays: no per-entry objects, O(log n) insert/remove/update, O(1) lookup of a slot's
 * entry. Each slot is in the heap at most once. Package-private: a part of
 * {@link Transceiver}.
 *
 * <p>Not thread-safe: owned by the engine's sender thread.
 */
final class DeadlineHeap {
    private final int[] heap;
    private final int[] pos;
    private final long[] deadline;
    private int size;

    DeadlineHeap(int slotCapacity) {
        heap = new int[slotCapacity];
        pos = new int[slotCapacity];
        deadline = new long[slotCapacity];
        Arrays.fill(pos, -1);
    }

    int size() {
        return size;
    }

    boolean contains(int slot) {
        return pos[slot] >= 0;
    }

    /** Adds {@code slot} or moves it to {@code deadlineNanos} if present. */
    void put(int slot, long deadlineNanos) {
        int i = pos[slot];
        if (i < 0) {
            i = size++;
            heap[i] = slot;
            pos[slot] = i;
            deadline[slot] = deadlineNanos;
            up(i);
        } else {
            long old = deadline[slot];
            deadline[slot] = deadlineNanos;
            if (deadlineNanos - old < 0) {
                up(i);
            } else {
                down(i);
            }
        }
    }

    /** Removes {@code slot} if present. */
    void remove(int slot) {
        int i = pos[slot];
        if (i < 0) {
            return;
        }
        pos[slot] = -1;
        int last = heap[--size];
        if (i != size) {
            heap[i] = last;
            pos[last] = i;
            up(i);
            down(pos[last]);
        }
    }

    /** The earliest slot; only when {@code size() > 0}. */
    int peekSlot() {
        return heap[0];
    }

    /** The earliest deadline; only when {@code size() > 0}. */
    long peekDeadline() {
        return deadline[heap[0]];
    }

    /** Removes and returns the earliest slot; only when {@code size() > 0}. */
    int poll() {
        int s = heap[0];
        remove(s);
        return s;
    }

    private void up(int i) {
        int s = heap[i];
        long d = deadline[s];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int ps = heap[parent];
            if (deadline[ps] - d <= 0) {
                break;
            }
            heap[i] = ps;
            pos[ps] = i;
            i = parent;
        }
        heap[i] = s;
        pos[s] = i;
    }

    private void down(int i) {
        int s = heap[i];
        long d = deadline[s];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int cs = heap[c];
            int r = c + 1;
            if (r < size && deadline[heap[r]] - deadline[cs] < 0) {
                c = r;
                cs = heap[r];
            }
            if (d - deadline[cs] <= 0) {
                break;
            }
            heap[i] = cs;
            pos[cs] = i;
            i = c;
        }
        heap[i] = s;
        pos[s] = i;
    }
}
