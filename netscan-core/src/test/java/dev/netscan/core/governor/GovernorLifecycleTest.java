package dev.netscan.core.governor;

import dev.netscan.core.Profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class GovernorLifecycleTest {

    private static final GovernorSettings FAST = GovernorSettings.builder().sampleInterval(Duration.ofMillis(20)).build();

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5); // polling interval of the await, not a synchronisation sleep
        }
    }

    private static boolean governorThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("netscan-governor"));
    }

    @Test
    void startSamplesRepeatedlyOnADaemonThreadAndCloseStopsIt() throws Exception {
        FakeHostProbe fake = new FakeHostProbe();
        AtomicBoolean onDaemonGovernorThread = new AtomicBoolean(true);
        HostProbe probe = () -> {
            Thread t = Thread.currentThread();
            if (!t.isDaemon() || !t.getName().equals("netscan-governor")) onDaemonGovernorThread.set(false);
            return fake.sample();
        };
        Governor g = new Governor(FAST, probe);
        g.start();
        g.start(); // idempotent: still one schedule
        await("three samples", () -> fake.samples() >= 3);
        assertThat(g.lastSample()).isPresent();
        assertThat(onDaemonGovernorThread).isTrue();

        g.close();
        g.close();
        await("the governor thread to end", () -> !governorThreadAlive());
        assertThatThrownBy(g::start).isInstanceOf(IllegalStateException.class).hasMessage("governor is closed");
        long before = fake.samples(); // the executor has terminated: no scheduled sample can follow
        g.sampleNow(); // still usable by hand after close
        assertThat(fake.samples()).isEqualTo(before + 1);
    }

    @Test
    void aThrowingProbeIsCountedAndSamplingGoesOn() throws Exception {
        AtomicLong calls = new AtomicLong();
        FakeHostProbe fake = new FakeHostProbe();
        HostProbe flaky = () -> {
            if (calls.incrementAndGet() % 2 == 1) throw new IllegalStateException("sensor read failed");
            return fake.sample();
        };
        try (Governor g = new Governor(FAST, flaky)) {
            g.start();
            await("two failures and two samples", () -> g.sampleFailures() >= 2 && fake.samples() >= 2);
            assertThat(g.lastSample()).isPresent();
        }
        await("the governor thread to end", () -> !governorThreadAlive());
    }

    @Test
    void closeWithoutStartIsANoOp() {
        Governor g = new Governor(FAST, new FakeHostProbe());
        g.close();
        assertThat(g.throttle()).isEqualTo(Knobs.of(Profile.STANDARD).baseline());
    }
}
