package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The SPSC slot ring against an ArrayDeque (one thread, fixed seed) and across two threads. */
class SlotRingTest {

    @Test
    void roundsItsCapacityUpToAPowerOfTwoThatHoldsEverySlot() {
        assertThat(new SlotRing(1).capacity()).isEqualTo(4);
        assertThat(new SlotRing(4).capacity()).isEqualTo(4);
        assertThat(new SlotRing(5).capacity()).isEqualTo(8);
        assertThat(new SlotRing(1024).capacity()).isEqualTo(1024);
        assertThat(new SlotRing(1025).capacity()).isEqualTo(2048);
        assertThat(new SlotRing(131_072).capacity()).isEqualTo(131_072);
    }

    @Test
    void agreesWithAnArrayDequeUnderRandomOffersAndPolls() {
        SplittableRandom random = new SplittableRandom(11);
        SlotRing ring = new SlotRing(16);
        ArrayDeque<Integer> model = new ArrayDeque<>();
        for (int step = 0; step < 200_000; step++) {
            if (random.nextInt(100) < 52) {
                int v = random.nextInt(1 << 20);
                boolean accepted = ring.offer(v);
                assertThat(accepted).isEqualTo(model.size() < 16);
                if (accepted) {
                    model.addLast(v);
                }
            } else {
                Integer expected = model.pollFirst();
                assertThat(ring.poll()).isEqualTo(expected == null ? -1 : expected);
            }
            assertThat(ring.size()).isEqualTo(model.size());
        }
    }

    @Test
    void handsEveryValueAcrossThreadsOnceAndInOrder() throws Exception {
        SlotRing ring = new SlotRing(64);
        int n = 300_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AtomicReference<String> problem = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            int next = 0;
            while (next < n && System.nanoTime() < deadline) {
                int v = ring.poll();
                if (v < 0) {
                    Thread.yield(); // two busy threads on a shared 2-core machine: give the other side the core
                    continue;
                }
                if (v != next) {
                    problem.set("expected " + next + ", polled " + v);
                    return;
                }
                next++;
            }
            if (next < n) {
                problem.set("only " + next + " of " + n + " arrived within the deadline");
            }
        });
        consumer.start();
        for (int i = 0; i < n && System.nanoTime() < deadline; ) {
            if (ring.offer(i)) {
                i++;
            } else {
                Thread.yield(); // two busy threads on a shared 2-core machine: give the other side the core
            }
        }
        consumer.join(TimeUnit.SECONDS.toMillis(35));
        assertThat(consumer.isAlive()).isFalse();
        assertThat(problem.get()).isNull();
        assertThat(ring.poll()).isEqualTo(-1);
    }
}
