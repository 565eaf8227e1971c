package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Device;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Many threads mixing every operation on a small, full registry (so eviction, suspension, expiry
 * and pruning all collide), then every invariant is checked and every device is accounted for.
 */
class RegistryStressTest {
    static final int IPS = 3_000;
    static final int BASE = 0x0A000000;

    @Test
    void concurrentMixedOperationsKeepEveryInvariantAndLoseNoDevice() throws Exception {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        AtomicIntegerArray added = new AtomicIntegerArray(IPS);
        AtomicIntegerArray gone = new AtomicIntegerArray(IPS);
        AtomicIntegerArray suspendedNow = new AtomicIntegerArray(IPS);
        RegistryListener counting = new RegistryListener() {
            @Override
            public void onAdded(int ipv4) {
                added.incrementAndGet(ipv4 - BASE);
            }

            @Override
            public void onEvicted(int ipv4) {
                left(ipv4);
            }

            @Override
            public void onPruned(int ipv4) {
                left(ipv4);
            }

            @Override
            public void onRemoved(int ipv4) {
                left(ipv4);
            }

            private void left(int ipv4) {
                gone.incrementAndGet(ipv4 - BASE);
                suspendedNow.set(ipv4 - BASE, 0);
            }

            @Override
            public void onSuspended(int ipv4, long until, int n) {
                suspendedNow.incrementAndGet(ipv4 - BASE);
            }

            @Override
            public void onResumed(int ipv4, boolean expired) {
                suspendedNow.decrementAndGet(ipv4 - BASE);
            }
        };
        DeviceRegistry r = DeviceRegistry.builder().maxDevices(1_000).failureThreshold(3)
                .suspendBase(Duration.ofMillis(50)).suspendMax(Duration.ofMillis(400))
                .clock(clock).listener(counting).expiryTimer(false).build();

        int threads = 8;
        int opsPerThread = 60_000;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = 1234 + t;
            workers.add(Thread.ofPlatform().name("stress-" + t).start(() -> {
                try {
                    start.await();
                    run(r, clock, new SplittableRandom(seed), opsPerThread);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(w.isAlive()).as("worker %s finished", w.getName()).isFalse();
        }
        assertThat(failures).isEmpty();

        r.processExpiries(); // a worker may have advanced the clock after the last operation
        r.checkInvariants();
        assertThat(r.listenerFailures()).isZero();
        int present = 0;
        int suspended = 0;
        for (int i = 0; i < IPS; i++) {
            int in = r.contains(BASE + i) ? 1 : 0;
            present += in;
            assertThat(added.get(i)).as("adds of device %d = departures + present", i).isEqualTo(gone.get(i) + in);
            int s = suspendedNow.get(i);
            assertThat(s).as("suspension events of device %d", i).isBetween(0, 1);
            assertThat(r.get(BASE + i) != null && r.get(BASE + i).suspendedUntilEpochMillis() != 0)
                    .as("device %d suspended per events", i).isEqualTo(s == 1);
            suspended += s;
        }
        assertThat(present).isEqualTo(r.size());
        assertThat(r.suspendedCount()).isEqualTo(suspended);
        long now = clock.getAsLong();
        assertThat(r.snapshot().stream().filter(d -> d.suspendedAt(now)).count()).isEqualTo(suspended);
        // everything that ended by now has been applied by the last operation; make time pass and check exactness
        clock.advance(Duration.ofSeconds(1));
        r.processExpiries();
        assertThat(r.suspendedCount()).isZero();
        r.checkInvariants();
    }

    private static void run(DeviceRegistry r, ManualClock clock, SplittableRandom rnd, int ops) {
        IntArrayList scratch = new IntArrayList();
        for (int i = 0; i < ops; i++) {
            int ip = BASE + rnd.nextInt(IPS);
            int op = rnd.nextInt(100);
            if (op < 2) {
                clock.advanceMillis(rnd.nextInt(1, 20));
            } else if (op < 20) {
                r.add(ip);
            } else if (op < 35) {
                r.recordPingSuccess(ip);
            } else if (op < 60) {
                r.recordPingFailure(ip);
            } else if (op < 65) {
                r.touch(ip);
            } else if (op < 68) {
                r.updateSnmp(ip, new SnmpInfo("n" + ip, null, null, i, null, null));
            } else if (op < 70) {
                r.updateStats(ip, new PingStats(ip, i, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1));
            } else if (op < 72) {
                r.remove(ip);
            } else if (op < 73) {
                r.prune(clock.getAsLong() - rnd.nextInt(50, 500));
            } else if (op < 74) {
                r.processExpiries();
            } else if (op < 75) {
                r.addresses(scratch);
                assertThat(scratch.size()).isLessThanOrEqualTo(1_000);
            } else if (op < 76) {
                List<Device> all = r.snapshot();
                assertThat(all.size()).isLessThanOrEqualTo(1_000);
            } else if (op < 90) {
                Device d = r.get(ip);
                if (d != null) {
                    assertThat(d.ipv4()).isEqualTo(ip);
                }
            } else if (op < 95) {
                r.isSuspended(ip);
                r.lastSeen(ip);
            } else {
                int c = r.suspendedCount();
                assertThat(c).isBetween(0, 1_000);
            }
        }
    }
}
