package dev.netscan.core.governor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ErrorRateTest {

    @Test
    void windowsAreTheCountsSinceThePreviousDrain() {
        ErrorRate r = new ErrorRate("icmp");
        r.recordEvents(100);
        r.recordError();
        r.recordErrors(4);
        assertThat(r.drainWindow()).isEqualTo(new ErrorRate.Window(100, 5));
        assertThat(r.drainWindow()).isEqualTo(new ErrorRate.Window(0, 0));
        assertThat(new ErrorRate.Window(0, 0).errorPct()).isNaN();
        assertThat(new ErrorRate.Window(100, 5).errorPct()).isEqualTo(5.0);
        assertThat(new ErrorRate.Window(1, 3).errorPct()).isEqualTo(100.0);
    }

    @Test
    void concurrentRecordingLosesNothingWhileWindowsAreDrained() throws Exception {
        ErrorRate r = new ErrorRate("writer");
        int threads = 4;
        int perThread = 200_000;
        AtomicLong expectedErrors = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = 42 + t;
            Thread w = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                long errors = 0;
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < perThread; i++) {
                    r.recordEvent();
                    if (rnd.nextInt(20) == 0) {
                        r.recordError();
                        errors++;
                    }
                }
                expectedErrors.addAndGet(errors);
            });
            w.start();
            workers.add(w);
        }
        go.countDown();
        long events = 0;
        long errors = 0;
        while (workers.stream().anyMatch(Thread::isAlive)) {
            ErrorRate.Window w = r.drainWindow();
            assertThat(w.events()).isNotNegative();
            assertThat(w.errors()).isNotNegative();
            events += w.events();
            errors += w.errors();
        }
        for (Thread w : workers) w.join(10_000);
        ErrorRate.Window last = r.drainWindow();
        events += last.events();
        errors += last.errors();
        assertThat(events).isEqualTo((long) threads * perThread);
        assertThat(errors).isEqualTo(expectedErrors.get());
    }
}
