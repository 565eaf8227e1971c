package dev.netscan.discovery.snmp;

import dev.netscan.core.LoopFaults;
import dev.netscan.core.SnmpInfo;
import dev.netscan.core.SupervisedLoop;
import it.unimi.dsi.fastutil.ints.IntIterable;
import it.unimi.dsi.fastutil.ints.IntIterator;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * When to ask which device: the SNMP triggers and per-device backoff around a {@link SnmpScanner}.
 *
 * <ul>
 *   <li>{@link #deviceDiscovered(int)}: a newly found device is asked at once.</li>
 *   <li>{@link #scanAll(IntIterable)} (or {@link #schedulePeriodic(Supplier)} every
 *       {@link SnmpSettings#interval()}): every known device is asked again.</li>
 *   <li>A device whose queries fail {@link SnmpSettings#maxConsecutiveFails()} times in a row
 *       (timeout, no agent, authentication failure or error; a local refusal is ours and does
 *       not count) is not asked for
 *       {@link SnmpSettings#backoff()}; after that it is asked once more, and one more failure
 *       suspends it again while a success clears its record. {@link #suspendedCount()} is exact
 *       at the clock's current time.</li>
 * </ul>
 * Outcomes reach the downstream {@link SnmpListener} after the bookkeeping is updated (the lead
 * wires it to {@code DeviceRegistry.updateSnmp} and {@code MetricsSink.offerDeviceInfo}).
 *
 * <p>Thread-safe. Time for backoff comes from an injectable monotonic clock (nanoseconds).
 */
public final class SnmpEnrichment implements AutoCloseable {

    private final SnmpScanner scanner;
    private final SnmpBackoff backoff;
    private final LongSupplier nanoClock;
    private final SnmpListener downstream;
    private final LoopFaults faults;
    private final LongAdder skippedSuspended = new LongAdder();
    private final Object scheduleLock = new Object();
    /** Guarded by scheduleLock. */
    private SupervisedLoop periodic;

    private SnmpEnrichment(Builder b) {
        this.faults = b.faults;
        this.nanoClock = b.nanoClock;
        this.downstream = b.listener;
        this.backoff = new SnmpBackoff(b.settings.maxConsecutiveFails(), b.settings.backoff().toNanos());
        this.scanner = SnmpScanner.builder(b.settings)
                .listener(new Bookkeeper())
                .clock(b.clock)
                .warnings(b.warnings)
                .bindAddress(b.bindAddress)
                .receiveBufferBytes(b.receiveBufferBytes)
                .build();
    }

    /** A builder for enrichment with these settings. */
    public static Builder builder(SnmpSettings settings) {
        return new Builder(Objects.requireNonNull(settings, "settings"));
    }

    /** Starts the scanner (opens its socket). Idempotent. */
    public void start() throws IOException {
        scanner.start();
    }

    /**
     * A device was just discovered: ask it now unless it is suspended.
     *
     * @return true if it was queued
     */
    public boolean deviceDiscovered(int ipv4) {
        return offer(ipv4);
    }

    /**
     * Asks every device in {@code ipv4s} that is not suspended and not already queued or in flight.
     *
     * @return how many were queued
     */
    public int scanAll(IntIterable ipv4s) {
        int n = 0;
        for (IntIterator it = ipv4s.iterator(); it.hasNext(); ) {
            if (offer(it.nextInt())) {
                n++;
            }
        }
        return n;
    }

    private boolean offer(int ipv4) {
        if (backoff.isSuspended(ipv4, nanoClock.getAsLong())) {
            skippedSuspended.increment();
            return false;
        }
        return scanner.submit(ipv4);
    }

    /**
     * Runs {@link #scanAll(IntIterable)} over {@code knownDevices.get()} every
     * {@link SnmpSettings#interval()}, the first time one interval from now, on a daemon thread.
     * Replaces an earlier schedule.
     *
     * @param knownDevices returns an immutable snapshot of the known devices each time (the registry's)
     */
    public void schedulePeriodic(Supplier<? extends IntIterable> knownDevices) {
        Objects.requireNonNull(knownDevices, "knownDevices");
        Duration interval = scanner.settings().interval();
        synchronized (scheduleLock) {
            if (periodic != null) {
                periodic.close();
            }
            // a SupervisedLoop: a scan that throws (an OutOfMemoryError included) is counted,
            // reported and retried one interval later; a thread that ends is restarted
            periodic = SupervisedLoop.every("snmp-interval", interval, interval, () -> scanAll(knownDevices.get()), faults);
        }
    }

    /** Periodic scans that threw and were survived (see {@link #schedulePeriodic}). */
    public long periodicFailures() {
        synchronized (scheduleLock) {
            return periodic == null ? 0 : periodic.failures();
        }
    }

    /** Times the periodic scan's thread ended and was restarted. */
    public long periodicRestarts() {
        synchronized (scheduleLock) {
            return periodic == null ? 0 : periodic.restarts();
        }
    }

    /** Devices suspended right now (exact at the clock's current time). */
    public int suspendedCount() {
        return backoff.suspendedCount(nanoClock.getAsLong());
    }

    /** True while the device is suspended. */
    public boolean isSuspended(int ipv4) {
        return backoff.isSuspended(ipv4, nanoClock.getAsLong());
    }

    /** The device's consecutive failures (capped at maxConsecutiveFails). */
    public int failStreak(int ipv4) {
        return backoff.failStreak(ipv4);
    }

    /** Forgets a device's failure record (call when it leaves the registry). */
    public void forget(int ipv4) {
        backoff.forget(ipv4);
    }

    /** Times a device was not asked because it was suspended. */
    public long skippedSuspended() {
        return skippedSuspended.sum();
    }

    /** The scanner's counters with {@code suspended} filled in. */
    public SnmpCounters counters() {
        return scanner.counters().withSuspended(suspendedCount());
    }

    /** Changes the scanner's in-flight bound (see {@link SnmpScanner#setMaxInFlight(int)}). */
    public void setMaxInFlight(int max) {
        scanner.setMaxInFlight(max);
    }

    /** The underlying scanner. */
    public SnmpScanner scanner() {
        return scanner;
    }

    /** Stops the periodic schedule and closes the scanner. Idempotent. */
    @Override
    public void close() {
        synchronized (scheduleLock) {
            if (periodic != null) {
                periodic.close();
                periodic = null;
            }
        }
        scanner.close();
    }

    private final class Bookkeeper implements SnmpListener {
        @Override
        public void onSuccess(int ipv4, SnmpInfo info, long timestampEpochNanos) {
            backoff.recordSuccess(ipv4);
            downstream.onSuccess(ipv4, info, timestampEpochNanos);
        }

        @Override
        public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
            if (outcome != SnmpOutcome.LOCAL_REFUSAL) { // our refusal is not the device's failure
                backoff.recordFailure(ipv4, nanoClock.getAsLong());
            }
            downstream.onFailure(ipv4, outcome, detail);
        }
    }

    /** Builds {@link SnmpEnrichment}. Not thread-safe. */
    public static final class Builder {
        private final SnmpSettings settings;
        private SnmpListener listener = SnmpListener.NONE;
        /** Where the periodic scan reports a failure or a restart (default none). */
        private LoopFaults faults = LoopFaults.NONE;
        private LongSupplier nanoClock = System::nanoTime;
        private InstantSource clock = InstantSource.system();
        private Consumer<String> warnings = m -> System.getLogger(SnmpScanner.class.getName()).log(System.Logger.Level.WARNING, m);
        private String bindAddress = "0.0.0.0";
        private int receiveBufferBytes = 4 << 20;

        private Builder(SnmpSettings settings) {
            this.settings = settings;
        }

        /** Where outcomes go after bookkeeping. */
        public Builder listener(SnmpListener l) { this.listener = Objects.requireNonNull(l, "listener"); return this; }

        /** Monotonic clock for backoff, in nanoseconds (default {@code System::nanoTime}). */
        public Builder nanoClock(LongSupplier c) { this.nanoClock = Objects.requireNonNull(c, "nanoClock"); return this; }

        /** Wall clock for success timestamps. */
        public Builder clock(InstantSource c) { this.clock = Objects.requireNonNull(c, "clock"); return this; }

        /** Where the periodic scan's loop reports a failure or a restart (default {@link LoopFaults#NONE}). */
        public Builder loopFaults(LoopFaults f) { this.faults = Objects.requireNonNull(f, "faults"); return this; }

        /** Where configuration warnings go. */
        public Builder warnings(Consumer<String> sink) { this.warnings = Objects.requireNonNull(sink, "warnings"); return this; }

        /** Local address of the scanner's socket. */
        public Builder bindAddress(String a) { this.bindAddress = Objects.requireNonNull(a, "bindAddress"); return this; }

        /** SO_RCVBUF to ask for (see {@link SnmpScanner.Builder#receiveBufferBytes(int)}). */
        public Builder receiveBufferBytes(int bytes) { this.receiveBufferBytes = bytes; return this; }

        /** Builds; call {@link SnmpEnrichment#start()} next. */
        public SnmpEnrichment build() {
            return new SnmpEnrichment(this);
        }
    }
}
