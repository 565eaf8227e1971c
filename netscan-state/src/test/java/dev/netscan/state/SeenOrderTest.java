package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeenOrderTest {

    @Test
    void inOrderTimesKeepEverySlotInTheListAndEvictInArrivalOrder() {
        SeenOrder o = new SeenOrder(4, 0);
        for (int s = 0; s < 100; s++) {
            o.insert(s, 1_000 + s / 10); // runs of ten equal times
        }
        o.update(0, 2_000); // the least recently seen becomes the most recent
        assertThat(o.minSlot()).isEqualTo(1);
        assertThat(o.minKey()).isEqualTo(1_000);
        o.remove(1);
        assertThat(o.minSlot()).isEqualTo(2);
        o.checkInvariants("order", s -> s == 0 ? 2_000 : 1_000 + s / 10);
    }

    @Test
    void aTimeBeforeTheLatestGoesToTheHeapAndStillComesOutFirst() {
        SeenOrder o = new SeenOrder(4, 0);
        o.insert(0, 100);
        o.insert(1, 200);
        o.insert(2, 50); // late: before the tail's 200, and before everything
        assertThat(o.minSlot()).isEqualTo(2);
        assertThat(o.minKey()).isEqualTo(50);
        o.update(2, 150); // still late: stays in the heap, now after slot 0
        assertThat(o.minSlot()).isEqualTo(0);
        o.remove(0);
        assertThat(o.minSlot()).isEqualTo(2);
        o.update(2, 300); // in order again: appended to the list
        assertThat(o.minSlot()).isEqualTo(1);
        o.checkInvariants("order", s -> s == 1 ? 200 : 300);
    }

    @Test
    void randomOperationsAlwaysYieldTheMinimumAgainstAModel() {
        SeenOrder o = new SeenOrder(4, 0);
        Int2LongOpenHashMap model = new Int2LongOpenHashMap();
        SplittableRandom rnd = new SplittableRandom(11);
        long now = 1_000_000;
        for (int op = 0; op < 200_000; op++) {
            int slot = rnd.nextInt(300);
            now += rnd.nextInt(3); // ties are common
            // mostly the current time, sometimes a late one, and sometimes far in the past
            long key = switch (rnd.nextInt(10)) {
                case 0 -> now - rnd.nextInt(50);
                case 1 -> rnd.nextLong(now);
                default -> now;
            };
            int action = rnd.nextInt(10);
            if (!model.containsKey(slot)) {
                o.insert(slot, key);
                model.put(slot, key);
            } else if (action < 6) {
                o.update(slot, key);
                model.put(slot, key);
            } else if (action < 9) {
                o.remove(slot);
                model.remove(slot);
            } else {
                int to = 300 + rnd.nextInt(300);
                if (!model.containsKey(to)) {
                    o.renameSlot(slot, to);
                    model.put(to, model.remove(slot));
                }
            }
            assertThat(o.size()).isEqualTo(model.size());
            if (model.isEmpty()) {
                assertThat(o.minSlot()).isEqualTo(SeenOrder.ABSENT);
                assertThat(o.minKey()).isEqualTo(Long.MAX_VALUE);
            } else {
                long min = model.values().longStream().min().orElseThrow();
                assertThat(o.minKey()).isEqualTo(min);
                assertThat(model.get(o.minSlot())).isEqualTo(min);
            }
            if (op % 1000 == 0) {
                o.checkInvariants("order", model::get);
            }
        }
        o.checkInvariants("order", model::get);
    }

    @Test
    void checkInvariantsCatchesAKeyThatDisagreesWithTheOwner() {
        SeenOrder o = new SeenOrder(4, 0);
        o.insert(0, 10);
        o.insert(1, 5); // in the heap
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.checkInvariants("order", s -> 10))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("slot 1");
    }
}
