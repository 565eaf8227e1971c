package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlotHeapTest {

    @Test
    void randomOperationsAlwaysYieldTheMinimumAgainstAModel() {
        SlotHeap h = new SlotHeap(4, 0);
        Int2LongOpenHashMap model = new Int2LongOpenHashMap();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int op = 0; op < 100_000; op++) {
            int slot = rnd.nextInt(300);
            long key = rnd.nextLong(1_000_000);
            if (!model.containsKey(slot)) {
                h.insert(slot, key);
                model.put(slot, key);
            } else if (rnd.nextBoolean()) {
                h.update(slot, key);
                model.put(slot, key);
            } else {
                h.remove(slot);
                model.remove(slot);
            }
            assertThat(h.size()).isEqualTo(model.size());
            if (!model.isEmpty()) {
                long min = model.values().longStream().min().orElseThrow();
                assertThat(h.minKey()).isEqualTo(min);
                assertThat(model.get(h.minSlot())).isEqualTo(min);
            }
            if (op % 1000 == 0) {
                h.checkInvariants("heap", model::get);
            }
        }
        h.checkInvariants("heap", model::get);
    }

    @Test
    void renamingASlotKeepsItsKeyAndTheOrder() {
        SlotHeap h = new SlotHeap(4, 0);
        for (int s = 0; s < 50; s++) {
            h.insert(s, 7); // all keys tie: order is by slot number
        }
        h.remove(3);
        h.renameSlot(49, 3);
        assertThat(h.key(3)).isEqualTo(7);
        assertThat(h.contains(49)).isFalse();
        h.checkInvariants("heap", s -> 7);
    }

    @Test
    void keysBeyondTheWindowSlideItAndKeepTheOrder() {
        SlotHeap h = new SlotHeap(4, 0);
        h.insert(0, 10);
        h.insert(1, 20);
        h.insert(2, SlotHeap.MAX_REL - 5);
        long far = SlotHeap.MAX_REL + 1_000; // forces a rebase
        h.insert(3, far);
        assertThat(h.key(3)).isEqualTo(far);
        assertThat(h.key(2)).isEqualTo(SlotHeap.MAX_REL - 5);
        // 10 and 20 fell out of the window's bottom: clamped, still the oldest, tie broken by slot
        assertThat(h.minSlot()).isZero();
        h.remove(0);
        assertThat(h.minSlot()).isEqualTo(1);
        h.remove(1);
        assertThat(h.minSlot()).isEqualTo(2);
        assertThat(h.minKey()).isEqualTo(SlotHeap.MAX_REL - 5);
    }
}
