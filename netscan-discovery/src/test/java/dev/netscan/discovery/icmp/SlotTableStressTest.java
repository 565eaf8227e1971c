package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The slot protocol under contention: one sender thread allocates, loads, publishes (some probes
 * cancelled before they leave), times probes out and releases slots; several receiver threads
 * race it, completing whatever SENT slot they pick at random. Fixed seeds per thread; bounded in
 * count and time. Checked afterwards: every published generation ended exactly once, no
 * generation was skipped or reused, a winner always read the fields of the generation it won,
 * and every slot came back.
 */
class SlotTableStressTest {
    private static final int CAPACITY = 32;
    private static final int RECEIVERS = 3;
    private static final int PUBLISHES = 200_000;

    private static int ipv4Of(int s, int gen) {
        return s * 7_919 + gen;
    }

    private static long timeoutOf(int s, int gen) {
        return gen * 31L + s;
    }

    private static long key(int s, int gen) {
        return ((long) s << 32) | (gen & 0xFFFF_FFFFL);
    }

    @Test
    void everyPublishedProbeEndsExactlyOnceWithTheFieldsOfItsGeneration() throws Exception {
        SlotTable table = new SlotTable(CAPACITY, 2);
        ConcurrentLinkedQueue<Integer> freed = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<Set<Long>> receiverWins = new ArrayList<>();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> receivers = new ArrayList<>();
        for (int r = 0; r < RECEIVERS; r++) {
            Set<Long> wins = new HashSet<>();
            receiverWins.add(wins);
            SplittableRandom random = new SplittableRandom(100 + r);
            Thread t = new Thread(() -> {
                while (!stop.get() && System.nanoTime() < deadline) {
                    int s = random.nextInt(CAPACITY);
                    long st = table.stamp(s);
                    if (!SlotTable.isSent(st)) {
                        continue;
                    }
                    int gen = SlotTable.generation(st);
                    if (table.complete(s, st)) {
                        if (table.ipv4(s) != ipv4Of(s, gen) || table.timeoutNanos(s) != timeoutOf(s, gen)
                                || table.attempts(s) != 1 || table.firstSentNanos(s) != gen) {
                            problems.add("slot " + s + " gen " + gen + ": fields of another generation");
                        }
                        if (!wins.add(key(s, gen))) {
                            problems.add("slot " + s + " gen " + gen + " won twice by one receiver");
                        }
                        freed.add(s);
                    }
                }
            }, "stress-receiver-" + r);
            receivers.add(t);
            t.start();
        }

        SplittableRandom random = new SplittableRandom(7);
        Set<Long> senderWins = new HashSet<>();
        Set<Long> published = new HashSet<>();
        int[] lastGen = new int[CAPACITY];
        boolean[] outstanding = new boolean[CAPACITY];
        int publishes = 0;
        while (publishes < PUBLISHES && System.nanoTime() < deadline) {
            Integer back;
            while ((back = freed.poll()) != null) {
                assertThat(outstanding[back]).as("freed slot %d was outstanding", back).isTrue();
                outstanding[back] = false;
                table.release(back);
            }
            int op = random.nextInt(100);
            if (op < 60 && table.free() > 0) {
                int lane = random.nextInt(2);
                int s = table.allocate(lane);
                int gen = lastGen[s] + 1;
                table.load(s, ipv4Of(s, gen), 0, 0, false, timeoutOf(s, gen), 1, "listener");
                long generation = table.nextGeneration(s, gen);
                assertThat(SlotTable.generation(generation)).as("slot %d", s).isEqualTo(gen);
                lastGen[s] = gen;
                publishes++;
                boolean sent = random.nextInt(10) != 0;
                long st = table.publish(s, generation, sent);
                if (sent) {
                    assertThat(st).isEqualTo(SlotTable.sentStamp(gen));
                    published.add(key(s, gen));
                    outstanding[s] = true;
                } else {
                    table.release(s); // cancelled before it left: DONE at once, never SENT
                }
            } else if (op < 85) {
                int s = random.nextInt(CAPACITY);
                long st = table.stamp(s);
                if (outstanding[s] && SlotTable.isSent(st) && table.complete(s, st)) {
                    senderWins.add(key(s, SlotTable.generation(st)));
                    outstanding[s] = false;
                    table.release(s);
                }
            }
        }
        stop.set(true);
        for (Thread t : receivers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(publishes).as("the sender finished within the time bound").isEqualTo(PUBLISHES);
        Integer back;
        while ((back = freed.poll()) != null) {
            outstanding[back] = false;
            table.release(back);
        }
        for (int s = 0; s < CAPACITY; s++) {
            if (table.completeStopped(s)) {
                senderWins.add(key(s, lastGen[s]));
                assertThat(outstanding[s]).isTrue();
                outstanding[s] = false;
                table.release(s);
            }
            assertThat(outstanding[s]).as("slot %d still outstanding", s).isFalse();
        }

        assertThat(problems).isEmpty();
        List<Long> allWins = new ArrayList<>(senderWins);
        receiverWins.forEach(allWins::addAll);
        assertThat(allWins).as("each published probe ended once").hasSize(published.size());
        assertThat(new HashSet<>(allWins)).isEqualTo(published);
        assertThat(receiverWins.stream().mapToInt(Set::size).sum()).as("receivers won some races").isPositive();
        assertThat(table.free()).isEqualTo(CAPACITY);
        assertThat(table.inUse()).isZero();
        assertThat(table.inUse(0) + table.inUse(1)).isZero();
    }

    @Test
    void eachGenerationCompletesOnceAndTheStampKeepsGenerationAndPhaseApart() {
        SlotTable table = new SlotTable(1, 1);
        long g = 0;
        for (int i = 0; i < 5; i++) {
            int s = table.allocate(0);
            g = table.nextGeneration(s, i);
            long st = table.publish(s, g, true);
            assertThat(SlotTable.isSent(st)).isTrue();
            assertThat(table.complete(s, st)).isTrue();
            assertThat(table.complete(s, st)).as("only once").isFalse();
            table.release(s);
        }
        assertThat(SlotTable.generation(g)).isEqualTo(5);
        assertThat(SlotTable.sentStamp(-1)).isEqualTo((0xFFFF_FFFFL << 2) | 1);
        assertThat(SlotTable.generation(SlotTable.sentStamp(-1))).isEqualTo(-1);
    }
}
