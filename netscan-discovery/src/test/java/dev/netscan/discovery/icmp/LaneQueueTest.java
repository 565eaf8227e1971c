package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The lane queue against an ArrayDeque of probes (fixed seed), plus its blocking and closing rules. */
class LaneQueueTest {
    /** A queued probe as the model keeps it; the listener stands for itself. */
    private record Probe(int ipv4, long hi, long lo, boolean v6, long timeout, int retries, Object listener) {}

    private static final LaneQueue.Cancellation CANCELLED_IF_STRING = l -> l instanceof String;

    private static Probe randomProbe(SplittableRandom random, int i) {
        boolean v6 = random.nextBoolean();
        Object listener = random.nextInt(10) == 0 ? "cancelled " + i : Integer.valueOf(i);
        return new Probe(random.nextInt(), v6 ? random.nextLong() : 0, v6 ? random.nextLong() : 0, v6,
                1 + random.nextLong(5_000_000_000L), random.nextInt(4), listener);
    }

    private static boolean offer(LaneQueue q, Probe p) {
        return q.offer(p.ipv4(), p.hi(), p.lo(), p.v6(), p.timeout(), p.retries(), p.listener(), true);
    }

    @Test
    void agreesWithAnArrayDequeAndMovesEachProbeIntoItsSlot() {
        SplittableRandom random = new SplittableRandom(5);
        AtomicInteger wakes = new AtomicInteger();
        int cap = 13;
        LaneQueue q = new LaneQueue(cap, wakes::incrementAndGet);
        SlotTable slots = new SlotTable(4, 1);
        ArrayDeque<Probe> model = new ArrayDeque<>();
        int accepted = 0;
        for (int step = 0; step < 100_000; step++) {
            if (random.nextInt(100) < 55) {
                Probe p = randomProbe(random, step);
                boolean ok = offer(q, p);
                assertThat(ok).isEqualTo(model.size() < cap);
                if (ok) {
                    model.addLast(p);
                    accepted++;
                }
            } else if (!model.isEmpty()) {
                Probe expected = model.pollFirst();
                int s = random.nextInt(4);
                q.lockForTake();
                boolean cancelled;
                try {
                    assertThat(q.count()).isEqualTo(model.size() + 1);
                    cancelled = q.take(slots, s, CANCELLED_IF_STRING);
                } finally {
                    q.unlockAfterTake();
                }
                assertThat(cancelled).isEqualTo(expected.listener() instanceof String);
                assertThat(new Probe(slots.ipv4(s), slots.addr6Hi(s), slots.addr6Lo(s), slots.isV6(s), slots.timeoutNanos(s),
                        retries(slots, s), slots.listener(s))).isEqualTo(expected);
            }
            assertThat(q.size()).isEqualTo(model.size());
        }
        assertThat(wakes.get()).as("each accepted waking offer woke the consumer once").isEqualTo(accepted);
        List<Object> drained = new ArrayList<>();
        assertThat(q.drain((ipv4, hi, lo, v6, l) -> drained.add(l))).isZero();
        assertThat(drained).containsExactlyElementsOf(model.stream().map(Probe::listener).toList());
        assertThat(q.size()).isZero();
    }

    /** The retries a slot was loaded with, counted by taking them. */
    private static int retries(SlotTable slots, int s) {
        int n = 0;
        while (slots.takeRetry(s)) {
            n++;
        }
        return n;
    }

    @Test
    void aDeferredOfferDoesNotWakeTheConsumer() {
        AtomicInteger wakes = new AtomicInteger();
        LaneQueue q = new LaneQueue(2, wakes::incrementAndGet);
        assertThat(q.offer(1, 0, 0, false, 1, 0, "l", false)).isTrue();
        assertThat(wakes.get()).isZero();
        assertThat(q.offer(1, 0, 0, false, 1, 0, "l", true)).isTrue();
        assertThat(wakes.get()).isEqualTo(1);
        assertThat(q.offer(1, 0, 0, false, 1, 0, "l", true)).as("full").isFalse();
        assertThat(wakes.get()).isEqualTo(1);
    }

    @Test
    void aBlockedOfferProceedsOnceTheConsumerMakesRoom() throws Exception {
        LaneQueue q = new LaneQueue(1, () -> { });
        assertThat(q.offer(1, 0, 0, false, 1, 0, "first", true)).isTrue();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread submitter = new Thread(() -> {
            started.countDown();
            try {
                q.offerBlocking(2, 0, 0, false, 1, 0, "second");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        submitter.start();
        started.await();
        awaitState(submitter, Thread.State.WAITING);
        assertThat(q.size()).isEqualTo(1);
        SlotTable slots = new SlotTable(1, 1);
        q.lockForTake();
        try {
            q.take(slots, 0, CANCELLED_IF_STRING);
        } finally {
            q.unlockAfterTake();
        }
        submitter.join(10_000);
        assertThat(submitter.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        List<Object> drained = new ArrayList<>();
        q.drain((ipv4, hi, lo, v6, l) -> drained.add(l));
        assertThat(drained).containsExactly("second");
    }

    @Test
    void closingRefusesOffersAndReleasesBlockedOnes() throws Exception {
        LaneQueue q = new LaneQueue(1, () -> { });
        assertThat(q.offer(1, 0, 0, false, 1, 0, "first", true)).isTrue();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread submitter = new Thread(() -> {
            try {
                q.offerBlocking(2, 0, 0, false, 1, 0, "second");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        submitter.start();
        awaitState(submitter, Thread.State.WAITING);
        q.close();
        submitter.join(10_000);
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> q.offer(3, 0, 0, false, 1, 0, "third", true)).isInstanceOf(IllegalStateException.class);
        List<Object> drained = new ArrayList<>();
        assertThat(q.drain((ipv4, hi, lo, v6, l) -> {
            drained.add(l);
            throw new IllegalArgumentException("a listener that throws");
        })).isEqualTo(1);
        assertThat(drained).containsExactly("first");
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != state) {
            assertThat(System.nanoTime() < deadline).as("%s reaches %s", t.getName(), state).isTrue();
            Thread.sleep(1); // polling a condition with a deadline, not timing
        }
    }
}
