package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Triggers and backoff against real in-JVM agents, with a fake monotonic clock for the backoff. */
class SnmpEnrichmentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration BACKOFF = Duration.ofMinutes(30);
    private static final int GOOD = Ipv4.parse("127.0.0.1");
    private static final int SILENT_A = Ipv4.parse("127.0.0.2");
    private static final int SILENT_B = Ipv4.parse("127.0.0.3");

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final Outcomes out = new Outcomes();
    private TestAgent good;
    private TestAgent silentA;
    private TestAgent silentB;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private SnmpEnrichment enrichment(Duration interval) throws Exception {
        good = TestAgent.start("lab-community-7").withSystemGroup("good");
        closeables.add(good);
        silentA = TestAgent.start("127.0.0.2", good.port(), "lab-community-7");
        silentB = TestAgent.start("127.0.0.3", good.port(), "lab-community-7");
        closeables.add(silentA);
        closeables.add(silentB);
        silentA.silent.set(true);
        silentB.silent.set(true);
        SnmpEnrichment e = SnmpEnrichment.builder(SnmpSettings.builder().community("lab-community-7").port(good.port())
                        .timeout(Duration.ofMillis(60)).retries(0).maxConsecutiveFails(3).backoff(BACKOFF).interval(interval).build())
                .listener(out).nanoClock(now::get).bindAddress("127.0.0.1").build();
        closeables.add(e);
        e.start();
        return e;
    }

    private void scanAndAwait(SnmpEnrichment e, IntList devices, int expectQueued) {
        long before = e.counters().completed();
        assertThat(e.scanAll(devices)).isEqualTo(expectQueued);
        Await.until(expectQueued + " queries end", WAIT, () -> e.counters().completed() == before + expectQueued);
    }

    @Test
    void newDeviceIsAskedAtOnce() throws Exception {
        SnmpEnrichment e = enrichment(Duration.ofHours(1));
        assertThat(e.deviceDiscovered(GOOD)).isTrue();
        Outcomes.Result r = out.next(WAIT);
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysName()).isEqualTo("good");
        assertThat(e.failStreak(GOOD)).isZero();
    }

    @Test
    void devicesFailingMaxConsecutiveTimesAreSuspendedForTheBackoffAndCountedExactly() throws Exception {
        SnmpEnrichment e = enrichment(Duration.ofHours(1));
        IntList all = IntArrayList.of(GOOD, SILENT_A, SILENT_B);

        scanAndAwait(e, all, 3);
        scanAndAwait(e, all, 3);
        assertThat(e.suspendedCount()).isZero();
        assertThat(e.failStreak(SILENT_A)).isEqualTo(2);
        now.addAndGet(1_000_000); // B fails a moment later than A this time
        scanAndAwait(e, IntArrayList.of(GOOD, SILENT_A), 2);
        now.addAndGet(1_000_000);
        scanAndAwait(e, IntArrayList.of(SILENT_B), 1);

        assertThat(e.suspendedCount()).isEqualTo(2);
        assertThat(e.counters().suspended()).isEqualTo(2);
        assertThat(e.counters().timeouts()).isEqualTo(6);
        assertThat(e.counters().successes()).isEqualTo(3);
        int askedA = silentA.received.get();
        assertThat(e.scanAll(all)).as("only the good device is asked").isEqualTo(1);
        assertThat(e.deviceDiscovered(SILENT_A)).isFalse();
        Await.until("good answers", WAIT, () -> e.counters().successes() == 4);
        assertThat(silentA.received.get()).isEqualTo(askedA);
        assertThat(e.skippedSuspended()).isEqualTo(3);

        // A was suspended 1 ms before B: its backoff ends first, and the count drops exactly then.
        now.addAndGet(BACKOFF.toNanos() - 1_000_000 - 1);
        assertThat(e.suspendedCount()).isEqualTo(2);
        now.addAndGet(1);
        assertThat(e.suspendedCount()).isEqualTo(1);
        assertThat(e.isSuspended(SILENT_A)).isFalse();
        assertThat(e.isSuspended(SILENT_B)).isTrue();
        now.addAndGet(1_000_000);
        assertThat(e.suspendedCount()).isZero();

        // After the backoff one more failure suspends again at once; the good device never was.
        scanAndAwait(e, all, 3);
        assertThat(e.suspendedCount()).isEqualTo(2);
        assertThat(e.failStreak(GOOD)).isZero();
    }

    @Test
    void aSuccessClearsAFailureStreak() throws Exception {
        SnmpEnrichment e = enrichment(Duration.ofHours(1));
        good.silent.set(true);
        scanAndAwait(e, IntArrayList.of(GOOD), 1);
        scanAndAwait(e, IntArrayList.of(GOOD), 1);
        assertThat(e.failStreak(GOOD)).isEqualTo(2);
        good.silent.set(false);
        scanAndAwait(e, IntArrayList.of(GOOD), 1);
        assertThat(e.failStreak(GOOD)).isZero();
        assertThat(e.isSuspended(GOOD)).isFalse();
    }

    @Test
    void periodicScheduleAsksAllKnownDevicesEveryInterval() throws Exception {
        SnmpEnrichment e = enrichment(Duration.ofSeconds(1));
        e.schedulePeriodic(() -> IntArrayList.of(GOOD));
        Await.until("two periodic successes", WAIT, () -> e.counters().successes() >= 2);
        assertThat(good.received.get()).isGreaterThanOrEqualTo(2);
    }
}
