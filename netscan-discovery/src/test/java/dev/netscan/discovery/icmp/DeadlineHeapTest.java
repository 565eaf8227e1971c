package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The indexed deadline heap against a plain map scanned for its minimum, under random put / move /
 * remove / poll sequences with fixed seeds, including deadlines that wrap past Long.MAX_VALUE
 * (System.nanoTime() values are compared by difference).
 */
class DeadlineHeapTest {
    private static final int CAPACITY = 257;

    /** The earliest deadline in {@code model} by signed difference, as the heap orders them. */
    private static long min(Map<Integer, Long> model) {
        long best = 0;
        boolean first = true;
        for (long d : model.values()) {
            if (first || d - best < 0) {
                best = d;
                first = false;
            }
        }
        return best;
    }

    private static void runModel(long seed, long base) {
        SplittableRandom random = new SplittableRandom(seed);
        DeadlineHeap heap = new DeadlineHeap(CAPACITY);
        Map<Integer, Long> model = new HashMap<>();
        for (int step = 0; step < 100_000; step++) {
            int op = random.nextInt(10);
            int slot = random.nextInt(CAPACITY);
            if (op < 5) {
                long d = base + random.nextLong(1_000_000_000L);
                heap.put(slot, d); // adds, or moves an existing entry earlier or later
                model.put(slot, d);
            } else if (op < 7) {
                heap.remove(slot);
                model.remove(slot);
            } else if (!model.isEmpty()) {
                long expected = min(model);
                assertThat(heap.peekDeadline()).isEqualTo(expected);
                int peeked = heap.peekSlot();
                int polled = heap.poll();
                assertThat(polled).isEqualTo(peeked);
                assertThat(model.remove(polled)).as("polled slot %d", polled).isEqualTo(expected);
            }
            assertThat(heap.size()).isEqualTo(model.size());
            assertThat(heap.contains(slot)).isEqualTo(model.containsKey(slot));
        }
        // drains in deadline order
        long last = 0;
        boolean first = true;
        while (heap.size() > 0) {
            long d = heap.peekDeadline();
            assertThat(model.remove(heap.poll())).isEqualTo(d);
            assertThat(first || d - last >= 0).isTrue();
            last = d;
            first = false;
        }
        assertThat(model).isEmpty();
    }

    @Test
    void agreesWithAMapScannedForItsMinimum() {
        runModel(1, 1_000_000_000L);
        runModel(2, -5_000_000_000L);
    }

    @Test
    void ordersDeadlinesThatWrapPastLongMaxValue() {
        runModel(3, Long.MAX_VALUE - 500_000_000L);
    }

    @Test
    void removingAnAbsentSlotChangesNothing() {
        DeadlineHeap heap = new DeadlineHeap(4);
        heap.put(2, 10);
        heap.remove(3);
        heap.remove(3);
        assertThat(heap.size()).isEqualTo(1);
        assertThat(heap.peekSlot()).isEqualTo(2);
        assertThat(heap.contains(3)).isFalse();
    }
}
