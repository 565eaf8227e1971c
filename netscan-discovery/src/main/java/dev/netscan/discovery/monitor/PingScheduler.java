package dev.netscan.discovery.monitor;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.ProbeListener;
import dev.netscan.state.DeviceRegistry;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * Pings every device of the registry once per {@code pingInterval}, forever, on a fixed-rate
 * schedule.
 *
 * <p><b>Schedule.</b> The interval is cut into {@code buckets} equal ticks (about 10 ms each,
 * the tick of a HZ=100 kernel: the scheduler and the engine's sender wake once per tick, and a
 * bucket's probes leave together at its due time, so lateness does not grow with the tick;
 * 20,000 devices at 1 s are 200 probes every 10 ms, 100 wake-ups a second instead of 500 at 2 ms,
 * which measured about 1.5% of a core less at that load (docs/bench/monitor.md)); a
 * device's phase is a hash of its address, so 20,000 devices at 1 s are spread into a steady
 * 20,000 probes per second, and a device keeps the same phase if it is removed and added again
 * (a device pruned and rediscovered within one cycle is therefore never pinged twice in an
 * interval). Due times are {@code start + cycle * interval + phase}: a slow or lost reply never
 * shifts later pings, and a scheduler that falls behind (a GC pause) catches up bucket by bucket,
 * recording how late each probe went out.
 *
 * <p><b>Reconciliation</b> every {@code reconcileInterval}: devices in the registry but not
 * scheduled start, scheduled ones no longer in the registry stop; at most
 * {@code maxConcurrentPingers} are scheduled and the rest are counted as overflow. It allocates
 * nothing in steady state.
 *
 * <p><b>Results.</b> Every probe yields exactly one {@link PingResult}: it goes to the registry
 * (last seen, failure streak, suspension) and to the {@link MetricsSink}; a probe the engine
 * cannot accept becomes an {@code ERROR} result, never a silent gap. Suspended devices are not
 * probed until their suspension ends. Per-device statistics over windows of
 * {@code statsWindow} are emitted as {@code ping_stats}.
 *
 * <p><b>Threads.</b> One platform thread owns the wheel, the slot tables and the statistics;
 * engine threads hand results over through a lock-free queue. Public methods are thread-safe.
 */
public final class PingScheduler implements AutoCloseable {
    private static final long LATE_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long TARGET_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MonitorProber prober;
    private final DeviceRegistry devices;
    private final MetricsSink sink;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final int maxScheduled;
    private final long reconcileNanos;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final LongSupplier epochNanos;
    private final int bucketCount;

    // ---- owned by the scheduler thread (or the caller of reconcile() when not started)
    private final IntArrayList[] wheel;
    private final Int2IntOpenHashMap slotOf;
    private int[] slotIp = new int[0];
    private int[] slotBucket = new int[0]; // -1 when the slot is free
    private int[] slotPos = new int[0];
    private int[] slotGen = new int[0];
    private final IntArrayList freeSlots = new IntArrayList();
    private int slotHighWater;
    private int generation;
    private long lastModCount = Long.MIN_VALUE;
    private final IntArrayList registryAddresses = new IntArrayList();
    private final IntArrayList pending = new IntArrayList();
    private final RollingStats stats;
    private final LatencyHistogram lateness = new LatencyHistogram();
    private final MpscUnboundedAtomicArrayQueue<PingResult> results = new MpscUnboundedAtomicArrayQueue<>(4096);
    private final ProbeListener onResult = (result, attempts) -> handleResult(result);

    // ---- counters: written by one thread each (or atomically), read by anyone
    private volatile int scheduled;
    private volatile int overflow;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong unreachable = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong suspendedSkips = new AtomicLong();
    private final AtomicLong reconciliations = new AtomicLong();
    private volatile long latenessP50Micros;
    private volatile long latenessP99Micros;
    private volatile long latenessMaxMicros;

    private final Object lifecycle = new Object();
    private Thread thread;
    private volatile boolean running;
    private volatile boolean reconcileRequested;

    private PingScheduler(Builder b) {
        this.prober = b.prober;
        this.devices = b.devices;
        this.sink = b.sink;
        this.intervalNanos = b.pingInterval.toNanos();
        this.timeoutNanos = b.pingTimeout.toNanos();
        this.maxScheduled = b.maxConcurrentPingers;
        this.reconcileNanos = b.reconcileInterval.toNanos();
        this.windowNanos = b.statsWindow.toNanos();
        this.nanoTime = b.nanoTime;
        this.epochNanos = b.epochNanos;
        this.bucketCount = (int) Math.max(1, Math.min(1 << 20, intervalNanos / TARGET_TICK_NANOS));
        this.wheel = new IntArrayList[bucketCount];
        for (int i = 0; i < bucketCount; i++) {
            wheel[i] = new IntArrayList(4);
        }
        this.slotOf = new Int2IntOpenHashMap(Math.max(16, Math.min(maxScheduled, 1 << 20)));
        slotOf.defaultReturnValue(-1);
        this.stats = new RollingStats((int) Math.max(1, Math.min(4096, windowNanos / intervalNanos)));
        ensureSlots(Math.min(maxScheduled, 1024));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the scheduler thread; idempotent. The first reconciliation runs at once. */
    public void start() {
        synchronized (lifecycle) {
            if (thread != null) {
                return;
            }
            running = true;
            thread = Thread.ofPlatform().name("netscan-ping-scheduler").daemon(true).unstarted(this::run);
            thread.start();
        }
    }

    /** Asks the scheduler thread to reconcile at its next step instead of waiting for the interval. */
    public void requestReconcile() {
        reconcileRequested = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Stops scheduling new probes and waits (bounded) for the thread to end; results of probes
     * already in flight still reach the registry and the sink as the engine delivers them.
     * Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            running = false;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long base = nanoTime.getAsLong();
        long cycle = 0;
        int cursor = 0;
        long nextReconcile = base;
        long nextPublish = base + TimeUnit.SECONDS.toNanos(1);
        while (running) {
            drainResults();
            long now = nanoTime.getAsLong();
            if (now - nextReconcile >= 0 || reconcileRequested) {
                reconcileRequested = false;
                reconcile();
                nextReconcile = now + reconcileNanos;
            }
            long due = base + cycle * intervalNanos + (cursor * intervalNanos) / bucketCount;
            int fired = 0;
            while (running && now - due >= 0) {
                fire(cursor, due, now);
                if (++cursor == bucketCount) {
                    cursor = 0;
                    cycle++;
                }
                due = base + cycle * intervalNanos + (cursor * intervalNanos) / bucketCount;
                if (++fired % 64 == 0) {
                    drainResults();
                    now = nanoTime.getAsLong();
                }
            }
            if (now - nextPublish >= 0) {
                publishLateness();
                nextPublish = now + TimeUnit.SECONDS.toNanos(1);
            }
            long wait = Math.min(due - now, nextReconcile - now);
            if (wait > 0) {
                LockSupport.parkNanos(this, Math.min(wait, TARGET_TICK_NANOS));
            }
        }
        drainResults();
        publishLateness();
    }

    private void fire(int bucket, long due, long now) {
        IntArrayList list = wheel[bucket];
        int n = list.size();
        if (n == 0) {
            return;
        }
        // One volatile read instead of a registry lock per device while nothing is suspended
        // (a suspension recorded after this read is honoured from the next bucket on, as a
        // suspension recorded just after a per-device check always was).
        boolean anySuspended = devices.suspendedCount() > 0;
        long clock = nanoTime.getAsLong();
        for (int i = 0; i < n; i++) {
            int ip = slotIp[list.getInt(i)];
            if (anySuspended && devices.isSuspended(ip)) {
                suspendedSkips.incrementAndGet();
                continue;
            }
            if ((i & 15) == 15) {
                clock = nanoTime.getAsLong(); // lateness stays exact to a few microseconds
            }
            long lateNanos = clock - due;
            lateness.record(lateNanos / 1_000);
            if (lateNanos > LATE_THRESHOLD_NANOS) {
                late.incrementAndGet();
            }
            sent.incrementAndGet();
            if (!prober.trySubmit(ip, timeoutNanos, onResult)) {
                rejected.incrementAndGet();
                handleResult(PingResult.failed(ip, epochNanos.getAsLong(), PingResult.Outcome.ERROR));
            }
        }
        prober.flush(); // one sender wake-up per bucket, not one per probe
    }

    /** Called once per probe, from an engine thread (or inline for a rejected submit). */
    private void handleResult(PingResult r) {
        completed.incrementAndGet();
        switch (r.outcome()) {
            case REPLY -> {
                replies.incrementAndGet();
                devices.recordPingSuccess(r.ipv4(), (r.sentAtEpochNanos() + r.rttNanos()) / 1_000_000);
            }
            case TIMEOUT -> {
                timeouts.incrementAndGet();
                devices.recordPingFailure(r.ipv4(), r.sentAtEpochNanos() / 1_000_000);
            }
            case UNREACHABLE -> {
                unreachable.incrementAndGet();
                devices.recordPingFailure(r.ipv4(), r.sentAtEpochNanos() / 1_000_000);
            }
            case ERROR -> sendErrors.incrementAndGet();
        }
        sink.offerPing(r);
        results.offer(r);
    }

    private void drainResults() {
        PingResult r;
        while ((r = results.relaxedPoll()) != null) {
            int slot = slotOf.get(r.ipv4());
            if (slot < 0) {
                continue; // no longer scheduled: the result was recorded, the window is gone
            }
            if (stats.add(slot, r.success(), r.success() ? r.rttMillis() : 0)) {
                PingStats s = stats.finish(slot, r.ipv4(), epochNanos.getAsLong(), windowNanos);
                devices.updateStats(r.ipv4(), s);
                sink.offerPingStats(s);
            }
        }
    }

    /**
     * One reconciliation: start devices the registry has and the schedule lacks, stop those it
     * no longer has. Returns the number of changes. Called by the scheduler thread; call it
     * directly only while the scheduler is not started (tests, benchmarks).
     */
    public int reconcile() {
        reconciliations.incrementAndGet();
        long mod = devices.modCount();
        if (mod == lastModCount) {
            return 0;
        }
        devices.addresses(registryAddresses);
        int gen = ++generation;
        int changes = 0;
        int[] addrs = registryAddresses.elements();
        int n = registryAddresses.size();
        // 1. mark what is scheduled and still known; remember what is known but not scheduled
        pending.clear();
        for (int i = 0; i < n; i++) {
            int ip = addrs[i];
            int slot = slotOf.get(ip);
            if (slot >= 0) {
                slotGen[slot] = gen;
            } else {
                pending.add(ip);
            }
        }
        // 2. stop what the registry no longer has (frees capacity for step 3)
        for (int slot = 0; slot < slotHighWater; slot++) {
            if (slotBucket[slot] >= 0 && slotGen[slot] != gen) {
                unschedule(slot);
                changes++;
            }
        }
        // 3. start the new ones, up to max_concurrent_pingers
        int over = 0;
        int[] add = pending.elements();
        for (int i = 0, m = pending.size(); i < m; i++) {
            if (scheduled < maxScheduled) {
                schedule(add[i]);
                changes++;
            } else {
                over++;
            }
        }
        overflow = over;
        // With overflow, keep reconciling until capacity frees up; otherwise skip unchanged cycles.
        lastModCount = over > 0 ? Long.MIN_VALUE : mod;
        return changes;
    }

    private int schedule(int ip) {
        int slot;
        if (!freeSlots.isEmpty()) {
            slot = freeSlots.popInt();
        } else {
            ensureSlots(slotHighWater + 1);
            slot = slotHighWater++;
        }
        int bucket = phaseBucket(ip);
        IntArrayList list = wheel[bucket];
        slotIp[slot] = ip;
        slotBucket[slot] = bucket;
        slotPos[slot] = list.size();
        list.add(slot);
        slotOf.put(ip, slot);
        stats.clear(slot);
        scheduled = scheduled + 1;
        return slot;
    }

    private void unschedule(int slot) {
        IntArrayList list = wheel[slotBucket[slot]];
        int pos = slotPos[slot];
        int last = list.size() - 1;
        int moved = list.getInt(last);
        list.set(pos, moved);
        slotPos[moved] = pos;
        list.removeInt(last);
        slotOf.remove(slotIp[slot]);
        slotBucket[slot] = -1;
        freeSlots.add(slot);
        scheduled = scheduled - 1;
    }

    private int phaseBucket(int ip) {
        long h = ip * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) (((h & 0xFFFF_FFFFL) * bucketCount) >>> 32);
    }

    private void ensureSlots(int n) {
        if (n <= slotIp.length) {
            return;
        }
        int cap = Math.max(n, Math.max(16, slotIp.length * 2));
        int old = slotIp.length;
        slotIp = Arrays.copyOf(slotIp, cap);
        slotBucket = Arrays.copyOf(slotBucket, cap);
        Arrays.fill(slotBucket, old, cap, -1);
        slotPos = Arrays.copyOf(slotPos, cap);
        slotGen = Arrays.copyOf(slotGen, cap);
        stats.ensureCapacity(cap);
    }

    private void publishLateness() {
        latenessP50Micros = lateness.percentile(50);
        latenessP99Micros = lateness.percentile(99);
        latenessMaxMicros = lateness.max();
    }

    /** Whether {@code ipv4} is on the schedule now (a racy read for tests and diagnostics). */
    public boolean isScheduled(int ipv4) {
        return slotOf.containsKey(ipv4);
    }

    /** A consistent-enough copy of the counters, for the health report. */
    public Counters counters() {
        long s = sent.get();
        long c = completed.get();
        return new Counters(scheduled, overflow, s, replies.get(), timeouts.get(), unreachable.get(),
                sendErrors.get(), rejected.get(), Math.max(0, s - c), late.get(),
                latenessP50Micros, latenessP99Micros, latenessMaxMicros, suspendedSkips.get(), reconciliations.get());
    }

    /** Number of wheel buckets (ticks per interval). */
    public int bucketCount() {
        return bucketCount;
    }

    /**
     * Scheduler counters.
     *
     * @param scheduled devices on the schedule
     * @param overflow devices in the registry left unscheduled by {@code max_concurrent_pingers}
     * @param pingsSent probes handed to the engine (including rejected ones)
     * @param replies results with a reply
     * @param timeouts results that timed out
     * @param unreachable destination-unreachable results
     * @param sendErrors probes that could not be sent (engine errors and rejections)
     * @param rejected probes the engine could not accept
     * @param inFlight probes sent whose result has not arrived
     * @param latePings probes sent more than 10 ms after their due time
     * @param latenessP50Micros median lateness since start
     * @param latenessP99Micros 99th percentile lateness since start
     * @param latenessMaxMicros largest lateness since start
     * @param suspendedSkips due probes skipped because the device was suspended
     * @param reconciliations reconciliation cycles run
     */
    public record Counters(int scheduled, int overflow, long pingsSent, long replies, long timeouts, long unreachable,
            long sendErrors, long rejected, long inFlight, long latePings, long latenessP50Micros,
            long latenessP99Micros, long latenessMaxMicros, long suspendedSkips, long reconciliations) {}

    /** Builds a {@link PingScheduler}; {@link #build()} validates. */
    public static final class Builder {
        private MonitorProber prober;
        private DeviceRegistry devices;
        private MetricsSink sink;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration pingTimeout = Duration.ofSeconds(1);
        private int maxConcurrentPingers = 20_000;
        private Duration reconcileInterval = Duration.ofSeconds(5);
        private Duration statsWindow = Duration.ofSeconds(60);
        private LongSupplier nanoTime = System::nanoTime;
        private LongSupplier epochNanos = () -> {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };

        private Builder() {}

        /** Probes through this engine's monitor lane. */
        public Builder engine(IcmpEngine v) { prober = MonitorProber.of(v); return this; }
        /** Probes through {@code v} (benchmarks that never start the scheduler). */
        public Builder prober(MonitorProber v) { prober = v; return this; }
        public Builder registry(DeviceRegistry v) { devices = v; return this; }
        public Builder sink(MetricsSink v) { sink = v; return this; }
        /** At least 1 s in production; shorter intervals (down to 10 ms) are accepted for tests. */
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder pingTimeout(Duration v) { pingTimeout = v; return this; }
        public Builder maxConcurrentPingers(int v) { maxConcurrentPingers = v; return this; }
        public Builder reconcileInterval(Duration v) { reconcileInterval = v; return this; }
        public Builder statsWindow(Duration v) { statsWindow = v; return this; }
        /** Monotonic clock for the schedule (default {@link System#nanoTime()}). */
        public Builder nanoTime(LongSupplier v) { nanoTime = v; return this; }
        /** Wall clock in epoch nanoseconds, for timestamps. */
        public Builder epochNanos(LongSupplier v) { epochNanos = v; return this; }

        /**
         * Validates and builds.
         *
         * @throws NullPointerException when the engine (or prober), registry or sink is missing
         * @throws InvalidConfigException listing every invalid timing, keyed by builder method name
         */
        public PingScheduler build() {
            Objects.requireNonNull(prober, "engine");
            Objects.requireNonNull(devices, "registry");
            Objects.requireNonNull(sink, "sink");
            ConfigProblems problems = new ConfigProblems();
            if (problems.atLeast("pingInterval", pingInterval, Duration.ofMillis(10))
                    && problems.required("pingTimeout", pingTimeout)) {
                problems.check(pingTimeout.isPositive() && pingTimeout.compareTo(pingInterval) <= 0, "pingTimeout",
                        "must be positive and at most pingInterval (" + pingInterval + "), was " + pingTimeout);
            }
            problems.check(maxConcurrentPingers >= 1, "maxConcurrentPingers", "must be at least 1, was " + maxConcurrentPingers);
            problems.atLeast("reconcileInterval", reconcileInterval, Duration.ofMillis(1));
            if (problems.required("statsWindow", statsWindow) && pingInterval != null) {
                problems.check(statsWindow.compareTo(pingInterval) >= 0, "statsWindow",
                        "must be at least pingInterval (" + pingInterval + "), was " + statsWindow);
            }
            problems.throwIfAny();
            return new PingScheduler(this);
        }
    }
}
