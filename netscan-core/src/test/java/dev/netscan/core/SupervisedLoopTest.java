package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Issue 14 item 2: a loop catches, counts, reports, backs off and continues; a thread that ends is restarted. */
class SupervisedLoopTest {

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Records what a loop reports; optionally throws from failed() to end the loop's thread. */
    static final class Recorder implements LoopFaults {
        final List<String> failed = new CopyOnWriteArrayList<>();
        final List<String> restarted = new CopyOnWriteArrayList<>();
        volatile int throwOnFailures;

        @Override
        public void failed(String loop, Throwable cause, long failures) {
            failed.add(loop + ":" + cause.getClass().getSimpleName() + ":" + failures);
            if (throwOnFailures > 0) {
                throwOnFailures--;
                throw new StackOverflowError("test: the alert path fails while handling a failure");
            }
        }

        @Override
        public void restarted(String loop, Throwable cause, long restarts) {
            restarted.add(loop + ":" + (cause == null ? "null" : cause.getClass().getSimpleName()) + ":" + restarts);
        }
    }

    @Test
    void anOutOfMemoryErrorFromAPassIsCountedReportedAndTheLoopContinues() {
        Recorder faults = new Recorder();
        AtomicLong passes = new AtomicLong();
        try (SupervisedLoop loop = SupervisedLoop.start("test-oom", () -> {
            long n = passes.incrementAndGet();
            if (n <= 3) {
                throw new OutOfMemoryError("test: thrown by the task, not a real OOM");
            }
            return 1_000_000L;
        }, faults)) {
            await("passes after the failures", () -> passes.get() > 10);
            assertThat(loop.failures()).isEqualTo(3);
            assertThat(loop.restarts()).isZero();
            assertThat(faults.failed).containsExactly("test-oom:OutOfMemoryError:1", "test-oom:OutOfMemoryError:2",
                    "test-oom:OutOfMemoryError:3");
            assertThat(loop.isAlive()).isTrue();
        }
    }

    @Test
    void aThreadThatEndsIsRestartedByTheWatchdogAndReported() {
        Recorder faults = new Recorder();
        faults.throwOnFailures = 1;
        AtomicLong passes = new AtomicLong();
        AtomicInteger threads = new AtomicInteger();
        List<Thread> seen = new CopyOnWriteArrayList<>();
        try (SupervisedLoop loop = SupervisedLoop.start("test-restart", () -> {
            if (!seen.contains(Thread.currentThread())) {
                seen.add(Thread.currentThread());
                threads.incrementAndGet();
            }
            if (passes.incrementAndGet() == 2) {
                throw new IllegalStateException("test: a pass fails");
            }
            return 1_000_000L;
        }, faults)) {
            await("the restarted thread's passes", () -> threads.get() == 2 && passes.get() > 5);
            assertThat(loop.restarts()).isEqualTo(1);
            assertThat(loop.failures()).isEqualTo(1);
            assertThat(faults.restarted).containsExactly("test-restart:StackOverflowError:1");
            assertThat(seen.get(1).getName()).isEqualTo("netscan-test-restart");
            assertThat(seen.get(0).isAlive()).isFalse();
        }
    }

    @Test
    void aPeriodicTaskThatThrowsRunsAgainAndRunNowRunsAtOnce() {
        Recorder faults = new Recorder();
        AtomicLong runs = new AtomicLong();
        try (SupervisedLoop loop = SupervisedLoop.every("test-periodic", Duration.ZERO, Duration.ofMillis(20), () -> {
            if (runs.incrementAndGet() % 2 == 1) {
                throw new IllegalStateException("test: every other run fails");
            }
        }, faults)) {
            await("runs after failures", () -> runs.get() >= 6);
            assertThat(loop.failures()).isGreaterThanOrEqualTo(3);
        }
        AtomicLong slow = new AtomicLong();
        try (SupervisedLoop loop = SupervisedLoop.every("test-run-now", Duration.ofHours(1), Duration.ofHours(1),
                slow::incrementAndGet, faults)) {
            assertThat(slow.get()).isZero();
            loop.runNow();
            await("the requested run", () -> slow.get() == 1);
        }
    }

    @Test
    void closeStopsTheLoopAndNoRestartFollows() {
        Recorder faults = new Recorder();
        AtomicLong passes = new AtomicLong();
        SupervisedLoop loop = SupervisedLoop.start("test-close", () -> {
            passes.incrementAndGet();
            return 1_000_000L;
        }, faults);
        await("a pass", () -> passes.get() > 0);
        assertThat(loop.close(Duration.ofSeconds(5))).isTrue();
        long after = passes.get();
        assertThat(loop.isAlive()).isFalse();
        assertThat(passes.get()).isEqualTo(after);
        assertThat(loop.restarts()).isZero();
        loop.close(); // idempotent
    }
}
