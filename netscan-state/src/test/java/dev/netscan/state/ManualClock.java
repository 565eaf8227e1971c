package dev.netscan.state;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A wall clock (epoch millis) that moves only when told to. The fake for the registry's clock port. */
final class ManualClock implements LongSupplier {
    private final AtomicLong now;

    ManualClock(long startEpochMillis) {
        now = new AtomicLong(startEpochMillis);
    }

    @Override
    public long getAsLong() {
        return now.get();
    }

    long advance(Duration d) {
        return now.addAndGet(d.toMillis());
    }

    long advanceMillis(long ms) {
        return now.addAndGet(ms);
    }

    void set(long epochMillis) {
        now.set(epochMillis);
    }
}
