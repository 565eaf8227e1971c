package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntSlotMapTest {

    @Test
    void agreesWithHashMapUnderRandomChurnIncludingGrowthAndWrapAround() {
        IntSlotMap m = new IntSlotMap(4);
        Map<Integer, Integer> ref = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int op = 0; op < 200_000; op++) {
            // A small key space (plus extremes) forces long probe runs, collisions and shifts.
            int key = switch (rnd.nextInt(20)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Integer.MIN_VALUE;
                default -> rnd.nextInt(3000) * 65536;
            };
            int slot = rnd.nextInt(1 << 24);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    Integer old = ref.putIfAbsent(key, slot);
                    assertThat(m.putIfAbsent(key, slot)).isEqualTo(old == null ? IntSlotMap.ABSENT : old);
                }
                case 1 -> {
                    ref.put(key, slot);
                    m.put(key, slot);
                }
                case 2 -> {
                    Integer old = ref.remove(key);
                    assertThat(m.remove(key)).isEqualTo(old == null ? IntSlotMap.ABSENT : old);
                }
                default -> assertThat(m.get(key)).isEqualTo(ref.getOrDefault(key, IntSlotMap.ABSENT));
            }
            assertThat(m.size()).isEqualTo(ref.size());
        }
        for (Map.Entry<Integer, Integer> e : ref.entrySet()) {
            assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
            assertThat(m.containsKey(e.getKey())).isTrue();
        }
    }

    @Test
    void slotZeroAndTheLargestSlotRoundTrip() {
        IntSlotMap m = new IntSlotMap(16);
        m.put(7, 0);
        m.put(8, SlotHeap.MAX_SLOTS - 1);
        assertThat(m.get(7)).isZero();
        assertThat(m.get(8)).isEqualTo(SlotHeap.MAX_SLOTS - 1);
        assertThat(m.get(9)).isEqualTo(IntSlotMap.ABSENT);
        assertThat(m.remove(7)).isZero();
        assertThat(m.get(7)).isEqualTo(IntSlotMap.ABSENT);
    }
}
