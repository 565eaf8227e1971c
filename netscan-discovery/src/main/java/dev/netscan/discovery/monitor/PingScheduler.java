package dev.netscan.discovery.monitor;

import dev.netscan.core.LocalOutcome;
import dev.netscan.core.LoopFaults;
import dev.netscan.core.SupervisedLoop;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
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
 * interval). Due times are {@code start + cycle * interval + phase}, where {@code start} is when
 * the first reconciliation has put the registry's devices on the schedule: a slow or lost reply
 * never shifts later pings.
 *
 * <p><b>Devices added in bulk</b> (a restore, a sweep's results) are spread evenly over the one
 * interval after they are added: each is first due when the wheel next reaches its phase, never
 * all at once; a device's lateness is measured against its own due time, and never from before it
 * was put on the schedule.
 *
 * <p><b>Falling behind</b> (a GC pause, a stalled thread, a long reconciliation). A bucket more
 * than one tick late is caught up at twice the schedule's speed (one bucket per half tick), and
 * when the in-flight bound is full the catch-up waits for it (at most a timeout) instead of
 * refusing: catch-up causes no local outcome of its own. A
 * scheduler a whole interval or more behind skips whole cycles (counted in
 * {@link Counters#catchUpSkips()}), so a late device is pinged once, late, and then keeps its
 * phase: never twice for one due time. Only a bucket fired on time refuses when the lane is full.
 *
 * <p><b>Reconciliation</b> every {@code reconcileInterval}: devices in the registry but not
 * scheduled start, scheduled ones no longer in the registry stop. Every device of the registry is
 * scheduled (the registry's {@code max_devices} bounds how many). It allocates nothing in steady
 * state.
 *
 * <p><b>Admission.</b> Monitoring's rate is what its schedule needs: scheduled devices /
 * {@code pingInterval}. After each reconciliation that changed the schedule (and at the first) the
 * schedule is checked against what can be served: {@code maxConcurrentPingers} probes in flight,
 * each for up to {@code pingTimeout} (so at most {@code maxConcurrentPingers / pingTimeout} probes
 * a second), and the host's ceiling ({@code hostCeilingPps}). When the schedule needs more, the
 * scheduler stretches the <em>effective</em> interval evenly to {@code devices / capacity}: every
 * device is still pinged, each less often, and the {@link ScheduleListener} hears the numbers
 * once per change ({@link #schedule()} reports them at any time).
 *
 * <p><b>Results.</b> Every probe ends in exactly one outcome. A device outcome ({@link PingResult})
 * goes to the registry (last seen, failure streak, suspension) and to the {@link MetricsSink}. A
 * probe refused on our side (in-flight bound full, the engine's queue full or out of rate budget,
 * shed by the governor) ends in a {@link LocalOutcome}: counted by cause in {@link #counters()},
 * counted beside the loss in {@code ping_stats}, and never written as a {@code ping} point nor
 * recorded as the device's failure. Suspended devices are not probed until their suspension ends.
 * Per-device statistics over windows of {@code statsWindow} are emitted as {@code ping_stats}.
 *
 * <p><b>Governor shed.</b> While the {@code shed} signal is true (the service wires it to the
 * governor's critical state), every device's probes of odd cycles are shed: monitoring goes on at
 * half its rate, and the shed probes are local outcomes.
 *
 * <p><b>Threads.</b> One platform thread owns the wheel, the slot tables and the statistics;
 * engine threads hand results over through a lock-free queue. Public methods are thread-safe.
 *
 * <p><b>No death.</b> The scheduler thread is a {@link SupervisedLoop} named {@code ping-scheduler}:
 * a step that throws (a sink or registry failing, an {@link OutOfMemoryError} included) is counted
 * ({@link Counters#loopFailures()}), reported to the builder's {@link LoopFaults}, backed off and
 * survived; a thread that ends anyway is restarted ({@link Counters#loopRestarts()}) and keeps the
 * wheel. A result whose handling throws on an engine thread is counted and reported the same way
 * (as loop {@code ping-results}, at most once a second) and never reaches the engine.
 */
public final class PingScheduler implements AutoCloseable {
    private static final long TARGET_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MonitorProber prober;
    private final DeviceRegistry devices;
    private final MetricsSink sink;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final int maxInFlight;
    private final long hostCeilingPps;
    private final BooleanSupplier shed;
    private final ScheduleListener scheduleListener;
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
    /** When each slot was put on the schedule (scheduler clock): its lateness never counts from before. */
    private long[] slotSince = new long[0];
    private final IntArrayList freeSlots = new IntArrayList();
    private int slotHighWater;
    private int generation;
    private long lastModCount = Long.MIN_VALUE;
    private final IntArrayList registryAddresses = new IntArrayList();
    private final IntArrayList pending = new IntArrayList();
    private final RollingStats stats;
    private final Lateness lateness = new Lateness();
    private final MpscUnboundedAtomicArrayQueue<PingResult> results = new MpscUnboundedAtomicArrayQueue<>(4096);
    /** Slots of probes that ended in a local outcome on an engine thread, by address (rare: boxing is fine). */
    private final MpscUnboundedAtomicArrayQueue<Integer> localResults = new MpscUnboundedAtomicArrayQueue<>(64);
    private final ProbeListener onResult = new ProbeListener() {
        @Override
        public void onResult(PingResult result, int attempts) {
            handleResult(result, attempts);
        }

        @Override
        public void onLocal(int ipv4, long sentAtEpochNanos, LocalOutcome cause) {
            completed.incrementAndGet();
            endedLocally(ipv4, cause);
        }
    };

    // ---- counters: written by one thread each (or atomically), read by anyone
    private volatile int scheduled;
    /** Written by the scheduler thread (reconcile), read by anyone and by the loop to time ticks. */
    private volatile long effectiveIntervalNanos;
    private volatile Schedule schedule;
    private int checkedScheduled = -1;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong unreachable = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    /** Local outcomes by {@link LocalOutcome#ordinal()}. */
    private final AtomicLongArray local = new AtomicLongArray(LocalOutcome.count());
    private final AtomicLong suspendedSkips = new AtomicLong();
    private final AtomicLong reconciliations = new AtomicLong();
    private final AtomicLong catchUpSkips = new AtomicLong();
    private final Runnable stepHook;

    private final LoopFaults faults;
    private final AtomicLong resultFailures = new AtomicLong();
    /** When a result failure was last reported (engine threads; a racy throttle is fine). */
    private volatile long resultFailureReportedNanos = Long.MIN_VALUE / 2;

    // ---- the loop's position, owned by the scheduler thread (kept across a restart of it)
    private boolean loopAnchored;
    private long anchor;
    private long anchorTick;
    private long tick;
    private long period;
    private long nextReconcile;
    private long nextPublish;
    /** Position in the current bucket where a paused catch-up resumes (0 when the bucket starts). */
    private int firePos;
    /** When the last bucket was fired late (catch-up pacing). */
    private long lastCatchUpFire;

    private final Object lifecycle = new Object();
    private SupervisedLoop thread;
    private volatile boolean running;
    private volatile boolean reconcileRequested;

    private PingScheduler(Builder b) {
        this.prober = b.prober;
        this.devices = b.devices;
        this.sink = b.sink;
        this.intervalNanos = b.pingInterval.toNanos();
        this.timeoutNanos = b.pingTimeout.toNanos();
        this.maxInFlight = b.maxConcurrentPingers;
        this.hostCeilingPps = b.hostCeilingPps;
        this.shed = b.shed;
        this.scheduleListener = b.scheduleListener;
        this.faults = b.faults;
        this.stepHook = b.stepHook;
        this.effectiveIntervalNanos = intervalNanos;
        this.reconcileNanos = b.reconcileInterval.toNanos();
        this.windowNanos = b.statsWindow.toNanos();
        this.nanoTime = b.nanoTime;
        this.epochNanos = b.epochNanos;
        this.bucketCount = (int) Math.max(1, Math.min(1 << 20, intervalNanos / TARGET_TICK_NANOS));
        this.wheel = new IntArrayList[bucketCount];
        for (int i = 0; i < bucketCount; i++) {
            wheel[i] = new IntArrayList(4);
        }
        this.slotOf = new Int2IntOpenHashMap(16);
        slotOf.defaultReturnValue(-1);
        this.stats = new RollingStats((int) Math.max(1, Math.min(4096, windowNanos / intervalNanos)));
        ensureSlots(1024);
        this.schedule = new Schedule(0, 0, capacityPps(), intervalNanos, intervalNanos, null);
    }

    /** Probes a second the caps and the host can serve: the in-flight bound over the timeout, and the host's ceiling. */
    private double capacityPps() {
        double byInFlight = maxInFlight * 1e9 / timeoutNanos;
        return hostCeilingPps > 0 ? Math.min(byInFlight, hostCeilingPps) : byInFlight;
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
            thread = SupervisedLoop.start("ping-scheduler", this::step, faults);
        }
    }

    /** Asks the scheduler thread to reconcile at its next step instead of waiting for the interval. */
    public void requestReconcile() {
        reconcileRequested = true;
        SupervisedLoop t;
        synchronized (lifecycle) {
            t = thread;
        }
        if (t != null) {
            t.wake();
        }
    }

    /**
     * Stops scheduling new probes and waits (bounded) for the thread to end; results of probes
     * already in flight still reach the registry and the sink as the engine delivers them.
     * Idempotent.
     */
    @Override
    public void close() {
        SupervisedLoop t;
        synchronized (lifecycle) {
            running = false;
            t = thread;
        }
        if (t != null && t.close(Duration.ofSeconds(5))) {
            drainResults(); // the scheduler thread has ended: its structures are ours now
            lateness.publish(nanoTime.getAsLong());
        }
    }

    /**
     * One step of the scheduler thread: results in, reconciliation when due, every bucket due
     * fired. Returns how long to park. Tick k is due at anchor + (k - anchorTick) * effective
     * interval / buckets; a change of the effective interval re-anchors at the next tick, so
     * stretching never skips a bucket.
     */
    private long step() {
        if (stepHook != null) {
            stepHook.run();
        }
        if (!running) {
            return TARGET_TICK_NANOS;
        }
        if (!loopAnchored) {
            // The clock starts once the first reconciliation has put the registry on the
            // schedule: its duration (20,000 restored devices) is not lateness, and no bucket is
            // overdue the moment it ends.
            reconcileRequested = false;
            reconcile();
            anchor = nanoTime.getAsLong();
            period = effectiveIntervalNanos;
            nextReconcile = anchor + reconcileNanos;
            nextPublish = anchor + TimeUnit.SECONDS.toNanos(1);
            lastCatchUpFire = anchor;
            loopAnchored = true;
        }
        drainResults();
        long now = nanoTime.getAsLong();
        // not while a bucket is half fired: a reconciliation moves devices within buckets, and a
        // device moved behind the resume position would be pinged twice
        if (firePos == 0 && (now - nextReconcile >= 0 || reconcileRequested)) {
            reconcileRequested = false;
            nextReconcile = now + reconcileNanos; // before: a reconciliation that throws is not retried at once
            reconcile();
            now = nanoTime.getAsLong();
        }
        long due = anchor + dueOffset(tick - anchorTick, period);
        if (effectiveIntervalNanos != period && firePos == 0) {
            anchor = due;
            anchorTick = tick;
            period = effectiveIntervalNanos;
        }
        if (now - due >= period && firePos == 0) {
            // a whole interval or more behind: skip whole cycles, so each device is caught up once
            long cycles = (now - due) / period;
            catchUpSkips.addAndGet(cycles * scheduled);
            tick += cycles * bucketCount;
            due = anchor + dueOffset(tick - anchorTick, period);
        }
        long tickNanos = Math.max(1, period / bucketCount);
        long pace = Math.max(1, tickNanos / 2);
        long wait = 0;
        int fired = 0;
        while (running && now - due >= 0) {
            boolean catchingUp = now - due > tickNanos;
            if (catchingUp && now - lastCatchUpFire < pace) {
                wait = lastCatchUpFire + pace - now; // catch up at twice the schedule's speed, no faster
                break;
            }
            int cursor = (int) (tick % bucketCount);
            long cycle = tick / bucketCount;
            if (!fire(cursor, due, cycle, catchingUp)) {
                wait = pace; // the lane is full: wait for it rather than refuse
                lastCatchUpFire = now;
                break;
            }
            tick++;
            if (catchingUp) {
                lastCatchUpFire = now;
            }
            due = anchor + dueOffset(tick - anchorTick, period);
            if (++fired % 64 == 0) {
                drainResults();
            }
            now = nanoTime.getAsLong();
        }
        if (now - nextPublish >= 0) {
            lateness.publish(now);
            nextPublish = now + TimeUnit.SECONDS.toNanos(1);
        }
        if (wait == 0) {
            wait = Math.min(due - now, nextReconcile - now);
        }
        return wait > 0 ? Math.min(wait, TARGET_TICK_NANOS) : 0;
    }

    private long dueOffset(long ticks, long period) {
        return (ticks / bucketCount) * period + ((ticks % bucketCount) * period) / bucketCount;
    }

    /**
     * Fires bucket {@code bucket} from {@link #firePos}. Returns false when a late bucket paused
     * because the in-flight bound is full (it resumes there at a later step; probes in flight end
     * within the timeout, so the pause is bounded), true when the bucket is done.
     */
    private boolean fire(int bucket, long due, long cycle, boolean catchingUp) {
        IntArrayList list = wheel[bucket];
        int n = list.size();
        if (firePos >= n) {
            firePos = 0;
            return true;
        }
        boolean shedding = (cycle & 1) == 1 && shed.getAsBoolean();
        // One volatile read instead of a registry lock per device while nothing is suspended
        // (a suspension recorded after this read is honoured from the next bucket on, as a
        // suspension recorded just after a per-device check always was).
        boolean anySuspended = devices.suspendedCount() > 0;
        long clock = nanoTime.getAsLong();
        for (int i = firePos; i < n; i++) {
            int slot = list.getInt(i);
            int ip = slotIp[slot];
            firePos = i + 1; // before: a probe whose handling throws is not fired twice
            if (anySuspended && devices.isSuspended(ip)) {
                suspendedSkips.incrementAndGet();
                continue;
            }
            if ((i & 15) == 15) {
                clock = nanoTime.getAsLong(); // lateness stays exact to a few microseconds
            }
            if (shedding) {
                refuse(slot, LocalOutcome.GOVERNOR_SHED);
            } else if (sent.get() - completed.get() >= maxInFlight) {
                if (catchingUp) {
                    firePos = i;
                    prober.flush();
                    return false;
                }
                refuse(slot, LocalOutcome.IN_FLIGHT_FULL);
            } else if (prober.trySubmit(ip, timeoutNanos, onResult)) {
                sent.incrementAndGet();
            } else {
                // not a wait: the prober also refuses a device it can no longer address (an IPv6
                // key gone from the book) until the next reconciliation, which a paused bucket defers
                refuse(slot, prober.refusalCause());
            }
            lateness.record(clock - Math.max(due, slotSince[slot]));
        }
        firePos = 0;
        prober.flush(); // one sender wake-up per bucket, not one per probe
        return true;
    }

    /**
     * A probe we refused ourselves (scheduler thread): counted by cause and beside the device's
     * loss, never written as a ping point nor recorded as the device's failure.
     */
    private void refuse(int slot, LocalOutcome cause) {
        local.incrementAndGet(cause.ordinal());
        if (stats.addLocal(slot)) {
            int ip = slotIp[slot];
            PingStats s = stats.finish(slot, ip, epochNanos.getAsLong(), windowNanos);
            devices.updateStats(ip, s);
            sink.offerPingStats(s);
        }
    }

    /** An accepted probe ended on our side (engine thread): counted, and beside the loss in its window. */
    private void endedLocally(int ipv4, LocalOutcome cause) {
        local.incrementAndGet(cause.ordinal());
        localResults.offer(ipv4);
    }

    /** Called once per accepted probe, from an engine thread. */
    private void handleResult(PingResult r, int attempts) {
        completed.incrementAndGet();
        try {
            recordResult(r, attempts);
        } catch (Throwable t) { // a sink or registry failing (even an OutOfMemoryError) never reaches the engine
            long n = resultFailures.incrementAndGet();
            long now = System.nanoTime();
            if (now - resultFailureReportedNanos > 1_000_000_000L) {
                resultFailureReportedNanos = now;
                System.getLogger(PingScheduler.class.getName()).log(System.Logger.Level.ERROR,
                        "handling a ping result failed (" + n + " so far); the result is lost, monitoring goes on", t);
                try {
                    faults.failed("ping-results", t, n);
                } catch (Throwable ignored) {
                    // the engine thread must not die for the alert path either
                }
            }
        }
    }

    private void recordResult(PingResult r, int attempts) {
        if (r.outcome() == PingResult.Outcome.ERROR && attempts == 0) {
            endedLocally(r.ipv4(), LocalOutcome.CANCELLED); // never sent: the engine stopped with it queued
            return;
        }
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
        Integer ip;
        while ((ip = localResults.relaxedPoll()) != null) {
            int slot = slotOf.get(ip.intValue());
            if (slot >= 0 && stats.addLocal(slot)) {
                PingStats s = stats.finish(slot, ip, epochNanos.getAsLong(), windowNanos);
                devices.updateStats(ip, s);
                sink.offerPingStats(s);
            }
        }
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
        // 3. start the new ones; each is due from now on, at its phase
        int[] add = pending.elements();
        int m = pending.size();
        long since = m > 0 ? nanoTime.getAsLong() : 0;
        for (int i = 0; i < m; i++) {
            int slot = schedule(add[i]); // may grow the slot arrays: index after the call
            slotSince[slot] = since;
            changes++;
        }
        lastModCount = mod;
        checkSchedule();
        return changes;
    }

    /** Checks the schedule against what can be served when its size changed; tells the listener on a change. */
    private void checkSchedule() {
        int n = scheduled;
        if (n == checkedScheduled) {
            return;
        }
        checkedScheduled = n;
        double capacity = capacityPps();
        double required = n * 1e9 / intervalNanos;
        long effective = intervalNanos;
        String limit = null;
        if (required > capacity) {
            // round up to a millisecond, so the stretched schedule fits the capacity
            long needed = (long) Math.ceil(n * 1e3 / capacity) * 1_000_000L;
            effective = Math.max(intervalNanos, needed);
            double byInFlight = maxInFlight * 1e9 / timeoutNanos;
            limit = hostCeilingPps > 0 && hostCeilingPps < byInFlight ? "host" : "max_concurrent_pingers";
        }
        Schedule previous = schedule;
        Schedule now = new Schedule(n, required, capacity, intervalNanos, effective, limit);
        schedule = now;
        effectiveIntervalNanos = effective;
        if (scheduleListener != null) {
            try {
                scheduleListener.onSchedule(now);
            } catch (RuntimeException e) {
                System.getLogger(PingScheduler.class.getName()).log(System.Logger.Level.WARNING, "schedule listener threw", e);
            }
        }
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
        slotSince = Arrays.copyOf(slotSince, cap);
        stats.ensureCapacity(cap);
    }

    /** Whether {@code ipv4} is on the schedule now (a racy read for tests and diagnostics). */
    public boolean isScheduled(int ipv4) {
        return slotOf.containsKey(ipv4);
    }

    /** A consistent-enough copy of the counters, for the health report. */
    public Counters counters() {
        long s = sent.get();
        long c = completed.get();
        long[] byCause = new long[LocalOutcome.count()];
        for (int i = 0; i < byCause.length; i++) {
            byCause[i] = local.get(i);
        }
        SupervisedLoop t;
        synchronized (lifecycle) {
            t = thread;
        }
        return new Counters(scheduled, s, replies.get(), timeouts.get(), unreachable.get(),
                sendErrors.get(), Math.max(0, s - c), lateness.latePings(),
                lateness.p50Micros(), lateness.p99Micros(), lateness.maxMicros(), suspendedSkips.get(), reconciliations.get(),
                new LocalCounts(byCause), effectiveIntervalNanos,
                (t == null ? 0 : t.failures()) + resultFailures.get(), t == null ? 0 : t.restarts(),
                lateness.recentP99Micros(), catchUpSkips.get());
    }

    /** The last check of the schedule against what can be served (a snapshot; never null). */
    public Schedule schedule() {
        return schedule;
    }

    /** Number of wheel buckets (ticks per interval). */
    public int bucketCount() {
        return bucketCount;
    }

    /**
     * The schedule checked against what can be served.
     *
     * @param devices devices on the schedule
     * @param requiredPps probes a second the configured interval needs
     * @param capacityPps probes a second the caps and the host can serve
     * @param intervalNanos the configured {@code ping_interval}
     * @param effectiveIntervalNanos the interval in force: the configured one, or longer when the
     *     schedule cannot be served (every device still pinged, each less often)
     * @param limitedBy what limits it when stretched: {@code "max_concurrent_pingers"} (in-flight
     *     bound over the timeout) or {@code "host"} (the host's probe-rate ceiling); null when served
     */
    public record Schedule(int devices, double requiredPps, double capacityPps, long intervalNanos,
            long effectiveIntervalNanos, String limitedBy) {
        /** True when the configured interval cannot be served and is stretched. */
        public boolean stretched() {
            return effectiveIntervalNanos > intervalNanos;
        }
    }

    /** Hears each change of the {@link Schedule} (on the scheduler thread; must not block). */
    @FunctionalInterface
    public interface ScheduleListener {
        /** The schedule changed size and was checked again (its effective interval may be the same). */
        void onSchedule(Schedule schedule);
    }

    /**
     * Scheduler counters.
     *
     * @param scheduled devices on the schedule
     * @param pingsSent probes the engine accepted (local outcomes excluded)
     * @param replies results with a reply
     * @param timeouts results that timed out
     * @param unreachable destination-unreachable results
     * @param sendErrors probes the kernel refused to send (a device outcome, with its errno)
     * @param inFlight probes sent whose result has not arrived
     * @param latePings probes sent more than 10 ms after their due time (a device's due time is
     *     never before it was put on the schedule)
     * @param latenessP50Micros median lateness since start
     * @param latenessP99Micros 99th percentile lateness since start
     * @param latenessMaxMicros largest lateness since start
     * @param suspendedSkips due probes skipped because the device was suspended
     * @param reconciliations reconciliation cycles run
     * @param local probes that ended in a local outcome, by cause
     * @param effectiveIntervalNanos the interval in force (see {@link Schedule})
     * @param loopFailures steps of the scheduler thread and result hand-overs that threw and were survived
     * @param loopRestarts times the scheduler thread ended and its watchdog started a new one
     * @param latenessRecentP99Micros 99th percentile lateness over the last 30 to 60 s (a slow
     *     start does not hide the steady state)
     * @param catchUpSkips device due times skipped because the scheduler was a whole interval or
     *     more behind (each such device was pinged once, late, instead of once per missed cycle)
     */
    public record Counters(int scheduled, long pingsSent, long replies, long timeouts, long unreachable,
            long sendErrors, long inFlight, long latePings, long latenessP50Micros,
            long latenessP99Micros, long latenessMaxMicros, long suspendedSkips, long reconciliations,
            LocalCounts local, long effectiveIntervalNanos, long loopFailures, long loopRestarts,
            long latenessRecentP99Micros, long catchUpSkips) {}

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
        private long hostCeilingPps;
        private BooleanSupplier shed = () -> false;
        private ScheduleListener scheduleListener;
        private LoopFaults faults = LoopFaults.NONE;
        private Runnable stepHook;
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
        /** Monitoring probes in flight at most (default 20,000); with the timeout it bounds the rate served. */
        public Builder maxConcurrentPingers(int v) { maxConcurrentPingers = v; return this; }
        /** Probes a second this host can serve, 0 (the default) for no ceiling beyond the in-flight bound. */
        public Builder hostCeilingPps(long v) { hostCeilingPps = v; return this; }
        /** While true, probes of odd cycles are shed (a local outcome); default never. */
        public Builder shed(BooleanSupplier v) { shed = Objects.requireNonNull(v); return this; }
        /** Hears each change of the checked schedule; default none. */
        public Builder scheduleListener(ScheduleListener v) { scheduleListener = v; return this; }
        public Builder reconcileInterval(Duration v) { reconcileInterval = v; return this; }
        /** Where the scheduler reports a step that threw and a restart of its thread; default {@link LoopFaults#NONE}. */
        public Builder loopFaults(LoopFaults v) { faults = Objects.requireNonNull(v); return this; }
        public Builder statsWindow(Duration v) { statsWindow = v; return this; }
        /**
         * Test seam: runs at the start of each step on the scheduler thread (a test stalls the
         * thread with it); default none. Must not throw.
         */
        public Builder stepHook(Runnable v) { stepHook = v; return this; }
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
            problems.check(hostCeilingPps >= 0, "hostCeilingPps", "must be >= 0 probes/s, was " + hostCeilingPps);
            problems.throwIfAny();
            return new PingScheduler(this);
        }
    }
}
