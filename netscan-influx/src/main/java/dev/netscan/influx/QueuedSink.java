package dev.netscan.influx;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.SnmpInfo;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The shared half of every queued sink, on the model of Micrometer's {@code PushMeterRegistry}:
 * the producer side (a bounded lock-free MPSC queue, {@code offer*} never blocks), one flush
 * thread with its loop, the flush handshake, close with a deadline, the accounting of every
 * point ({@link SinkCounters}) and the guarantee that the loop does not die. Subclasses only say
 * how lines are batched and where they go ({@link InfluxWriter}: HTTP with a spool;
 * {@link AsyncLineSink}: a file or a stream).
 *
 * <h2>The loop never dies</h2>
 * Each pass of the loop runs inside a catch of {@link Throwable} (an {@link OutOfMemoryError}
 * thrown by a send included): the failure is counted ({@code loopFailures}), logged at most once
 * a minute, and the loop backs off (10 ms doubling to 1 s, reset by the next clean pass) and
 * continues. Should the thread end anyway (an error thrown while handling an error), its
 * uncaught-exception handler starts a new flush thread and counts it ({@code loopRestarts});
 * {@link #counters()} and {@link #flush()} also restart a thread found dead before close.
 *
 * <h2>Accounting</h2>
 * Producers count offers and refusals in {@link LongAdder}s ({@code offered} is incremented
 * before the queue is tried, so a snapshot never sees a refusal or a take without its offer).
 * Everything else is counted in {@link #tally} by the flush thread alone and published at the end
 * of each pass under a tiny lock, so a snapshot is always a state between two passes, where the
 * invariant holds exactly.
 */
abstract class QueuedSink implements MetricsSink {

    /** A device_info value waiting in the queue (the port passes three arguments). */
    record DeviceInfoItem(int ipv4, SnmpInfo info, long timestampEpochNanos) {}

    private static final System.Logger LOG = System.getLogger(QueuedSink.class.getName());
    private static final int DRAIN_CHUNK = 4_096;
    private static final long FIRST_BACKOFF_NANOS = 10_000_000L;
    private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

    private final MpscAtomicArrayQueue<Object> queue;
    private final String threadName;
    /** Monotonic clock for intervals, backoff and deadlines. */
    final LongSupplier nanoTime;
    private final long closeTimeoutNanos;

    // ---- written by producers (any thread)
    private final LongAdder offered = new LongAdder();
    private final LongAdder refusedFull = new LongAdder();
    private final LongAdder refusedClosed = new LongAdder();
    /** Set once by close(); read by producers and the flush thread. */
    private volatile boolean closing;

    // ---- lifecycle, under {@code lifecycle}
    private final Object lifecycle = new Object();
    private final FlushRequests flushes = new FlushRequests();
    /** The flush thread; replaced by the watchdog. Written under lifecycle, read by any thread. */
    private volatile Thread thread;
    /** True once the flush thread has finished its close sequence (for good). */
    private volatile boolean stopped;
    private final AtomicLong restarts = new AtomicLong();

    // ---- owned by the flush thread
    /** The flush thread's counts; subclasses add to it on the flush thread only. */
    final Tally tally = new Tally();
    private long servingFlush;
    private long lastFailureLogNanos = Long.MIN_VALUE / 2;

    // ---- published by the flush thread, read by counters(); guarded by itself
    private final Tally published = new Tally();

    QueuedSink(int queueCapacity, String threadName, long closeTimeoutNanos, LongSupplier nanoTime) {
        if (queueCapacity < 16) {
            throw new IllegalArgumentException("queueCapacity must be >= 16, was " + queueCapacity);
        }
        this.queue = new MpscAtomicArrayQueue<>(queueCapacity);
        this.threadName = threadName;
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.nanoTime = nanoTime;
    }

    // ------------------------------------------------------------------ what subclasses provide

    /** The encoder that takes {@code value} next (a subclass may seal or stamp a batch start here). */
    abstract LineProtocolEncoder encoderFor(Object value);

    /** Called after {@code value} was encoded (or dropped) into {@code enc}: seal a full batch. */
    abstract void encoded(Object value, LineProtocolEncoder enc) throws Exception;

    /** Periodic work of a pass: seal by time, write or send, complete sends. True if it progressed. */
    abstract boolean deliver(long now) throws Exception;

    /** A flush was requested and everything offered before it is encoded: seal open batches. */
    abstract void sealAll() throws Exception;

    /** True when what was sealed is delivered or safely stored (a pending flush is then served). */
    abstract boolean settled();

    /** How long an idle pass may park. */
    abstract long idleParkNanos(long now);

    /**
     * The close sequence, everything already encoded: deliver within {@code deadlineNanos}, store
     * what may be stored, count the rest as dropped (shutdown), release resources.
     */
    abstract void finish(long deadlineNanos) throws Exception;

    /** Fills the gauges of {@code t} (points in memory, spool, state) from the flush thread's state. */
    abstract void gauges(Tally t);

    /** The loop caught {@code failure}; a test seam may rethrow to end the thread. Flush thread. */
    void loopFailed(Throwable failure) {
        long now = nanoTime.getAsLong();
        if (now - lastFailureLogNanos > 60_000_000_000L) {
            lastFailureLogNanos = now;
            LOG.log(System.Logger.Level.ERROR, threadName + " failed; backing off and continuing", failure);
        }
    }

    // ------------------------------------------------------------------ producer side

    private boolean enqueue(Object item) {
        offered.increment();
        if (closing) {
            refusedClosed.increment();
            return false;
        }
        if (!queue.offer(item)) {
            refusedFull.increment();
            return false;
        }
        return true;
    }

    /** {@inheritDoc} Never blocks; false (counted as dropped) when the queue is full or closed. */
    @Override
    public boolean offerPing(PingResult result) {
        return enqueue(result);
    }

    /** {@inheritDoc} Never blocks; an identity with nothing known is accepted, writes nothing and is not counted. */
    @Override
    public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        if (info == null || !info.isKnown()) {
            return true;
        }
        return enqueue(new DeviceInfoItem(ipv4, info, timestampEpochNanos));
    }

    /** {@inheritDoc} Never blocks. */
    @Override
    public boolean offerPingStats(PingStats stats) {
        return enqueue(stats);
    }

    /** {@inheritDoc} Never blocks. */
    @Override
    public boolean offerHealth(HealthReport report) {
        return enqueue(report);
    }

    /** {@inheritDoc} Never blocks. */
    @Override
    public boolean offerDeviceEvent(DeviceEvent event) {
        return enqueue(event);
    }

    /** Values in the offer queue now (approximate under concurrent offers). */
    final int queueSize() {
        return queue.size();
    }

    final boolean isClosing() {
        return closing;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts the flush thread; idempotent. Callers hold no lock. */
    final void startThread() {
        synchronized (lifecycle) {
            if (thread != null) {
                return;
            }
            if (closing) {
                throw new IllegalStateException(threadName + ": sink was closed");
            }
            newThread();
        }
    }

    private void newThread() {
        Thread t = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
        t.setUncaughtExceptionHandler((dead, e) -> watchdog(dead, e, true));
        thread = t;
        t.start();
    }

    /**
     * Restarts a flush thread that ended before its close sequence finished: called by the dying
     * thread's handler, or by {@link #checkAlive()} on a thread found dead (re-checked here, under
     * the lock that covers starting a thread, so a thread not yet started is not taken for dead).
     */
    private void watchdog(Thread dead, Throwable cause, boolean dying) {
        synchronized (lifecycle) {
            if (stopped || thread != dead || (!dying && dead.isAlive())) {
                return;
            }
            restarts.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, threadName + " ended unexpectedly; starting a new one", cause);
            newThread();
        }
    }

    private void checkAlive() {
        Thread t = thread;
        if (t != null && !t.isAlive() && !stopped) {
            watchdog(t, null, false);
        }
    }

    /**
     * Seals what is buffered and waits, at most the close timeout, until it is delivered or
     * safely stored. Any thread; returns at once before start or after close.
     */
    @Override
    public void flush() {
        checkAlive();
        Thread t = thread;
        if (t == null || stopped) {
            return;
        }
        flushes.requestAndAwait(t, () -> stopped, closeTimeoutNanos, 500_000L);
    }

    /**
     * Stops accepting offers, delivers within the close timeout, stores or counts the rest as
     * dropped, and stops the flush thread. Idempotent; any thread.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            closing = true;
            t = thread;
        }
        while (t != null) {
            LockSupport.unpark(t);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (lifecycle) {
                t = stopped || thread == t ? null : thread; // the watchdog may have replaced it
            }
        }
        synchronized (lifecycle) {
            if (stopped || thread == null) {
                // The flush thread is gone: an offer that raced with close may still sit in the queue.
                Object o;
                long n = 0;
                while ((o = queue.poll()) != null) {
                    n++;
                }
                if (n > 0) {
                    synchronized (published) {
                        tally.taken += n;
                        tally.droppedShutdown += n;
                        published.copyFrom(tally);
                    }
                }
            }
        }
    }

    /** Accounting snapshot; any thread, any time. */
    @Override
    public SinkCounters counters() {
        checkAlive();
        Tally p = new Tally();
        synchronized (published) {
            p.copyFrom(published);
        }
        // Order matters: takes, then refusals, then offers (each was counted after its offer).
        long full = refusedFull.sum();
        long closed = refusedClosed.sum();
        long off = offered.sum();
        long queued = off - p.taken - full - closed + p.inMemory;
        return new SinkCounters(off, p.recovered, p.confirmed, p.rejected, p.spoolPending, queued,
                full, closed, p.droppedUnencodable, p.droppedSpoolCap, p.droppedDiskFull, p.droppedShutdown,
                p.droppedCorrupt, p.droppedWriteError, p.batchesConfirmed, p.batchesRejected, p.retries, p.failures,
                p.spooled, p.drained, p.spoolCapReached, p.spoolCorruptRecords, queue.size(), p.spoolBytes,
                p.batchSize, p.reachable, p.unreachableSinceMillis, p.diskFull, p.loopFailures, restarts.get());
    }

    // ------------------------------------------------------------------ flush thread

    private void run() {
        long backoff = 0;
        while (!closing) {
            try {
                pass();
                backoff = 0;
            } catch (Throwable failure) {
                tally.loopFailures++;
                publish();
                loopFailed(failure);
                backoff = backoff == 0 ? FIRST_BACKOFF_NANOS : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                LockSupport.parkNanos(backoff);
            }
        }
        long deadline = nanoTime.getAsLong() + closeTimeoutNanos;
        try {
            drainAll();
            finish(deadline);
        } catch (Throwable failure) {
            tally.loopFailures++;
            LOG.log(System.Logger.Level.ERROR, threadName + ": close sequence failed", failure);
        } finally {
            publish();
            stopped = true;
        }
    }

    private void pass() throws Exception {
        long req = flushes.latest();
        int drained = drain();
        long now = nanoTime.getAsLong();
        if (req > flushes.served() && servingFlush < req) {
            // Take everything offered before the request (bounded: producers may keep offering).
            int present = queue.size();
            for (int taken = 0; taken < present; ) {
                int n = drain();
                if (n == 0) {
                    break;
                }
                taken += n;
            }
            sealAll();
            servingFlush = req;
        }
        boolean progressed = deliver(now);
        if (servingFlush > flushes.served() && settled()) {
            flushes.markServed(servingFlush);
        }
        publish();
        if (drained == 0 && !progressed && !closing) {
            LockSupport.parkNanos(Math.max(idleParkNanos(now), 100_000L));
        }
    }

    /** Encodes everything in the queue (offers are refused once closing is set). */
    final void drainAll() throws Exception {
        while (drain() > 0) {
            // a racing offer may have slipped in before closing was seen
        }
    }

    /** Moves up to a chunk of queued values into the encoders. */
    private int drain() throws Exception {
        int n = 0;
        Object o;
        while (n < DRAIN_CHUNK && (o = queue.relaxedPoll()) != null) {
            n++;
            take(o);
        }
        if (n == 0 && !queue.isEmpty()) {
            // relaxedPoll may miss an element mid-publication; take the strict path once.
            o = queue.poll();
            if (o != null) {
                n++;
                take(o);
            }
        }
        return n;
    }

    private void take(Object o) throws Exception {
        tally.taken++;
        LineProtocolEncoder e = encoderFor(o);
        boolean written;
        try {
            written = switch (o) {
                case PingResult r -> Measurements.ping(e, r);
                case PingStats s -> Measurements.pingStats(e, s);
                case HealthReport h -> Measurements.health(e, h);
                case DeviceInfoItem d -> Measurements.deviceInfo(e, d.ipv4(), d.info(), d.timestampEpochNanos());
                case DeviceEvent d -> Measurements.deviceEvent(e, d);
                default -> throw new IllegalArgumentException("unexpected queued value " + o.getClass());
            };
        } catch (IllegalArgumentException | IllegalStateException bad) {
            // A value the protocol cannot carry: the encoder removed the partial line.
            written = false;
            LOG.log(System.Logger.Level.DEBUG, "dropping a value that cannot be encoded: {0}", bad.getMessage());
        }
        if (!written) {
            tally.droppedUnencodable++;
        }
        encoded(o, e);
    }

    /** Publishes the flush thread's counts for {@link #counters()}. Flush thread (or after it ended). */
    final void publish() {
        synchronized (published) {
            gauges(tally);
            published.copyFrom(tally);
        }
    }

    /**
     * The flush thread's counts. Totals are added to by the flush thread; gauges are filled by
     * {@link #gauges(Tally)} just before publication. Not thread-safe by itself.
     */
    static final class Tally {
        long taken;
        long recovered;
        long confirmed;
        long rejected;
        long droppedUnencodable;
        long droppedSpoolCap;
        long droppedDiskFull;
        long droppedShutdown;
        long droppedCorrupt;
        long droppedWriteError;
        long batchesConfirmed;
        long batchesRejected;
        long retries;
        long failures;
        long spooled;
        long drained;
        long spoolCapReached;
        long spoolCorruptRecords;
        long loopFailures;
        // gauges
        long inMemory;
        long spoolPending;
        long spoolBytes;
        int batchSize;
        boolean reachable = true;
        long unreachableSinceMillis;
        boolean diskFull;

        void copyFrom(Tally o) {
            taken = o.taken;
            recovered = o.recovered;
            confirmed = o.confirmed;
            rejected = o.rejected;
            droppedUnencodable = o.droppedUnencodable;
            droppedSpoolCap = o.droppedSpoolCap;
            droppedDiskFull = o.droppedDiskFull;
            droppedShutdown = o.droppedShutdown;
            droppedCorrupt = o.droppedCorrupt;
            droppedWriteError = o.droppedWriteError;
            batchesConfirmed = o.batchesConfirmed;
            batchesRejected = o.batchesRejected;
            retries = o.retries;
            failures = o.failures;
            spooled = o.spooled;
            drained = o.drained;
            spoolCapReached = o.spoolCapReached;
            spoolCorruptRecords = o.spoolCorruptRecords;
            loopFailures = o.loopFailures;
            inMemory = o.inMemory;
            spoolPending = o.spoolPending;
            spoolBytes = o.spoolBytes;
            batchSize = o.batchSize;
            reachable = o.reachable;
            unreachableSinceMillis = o.unreachableSinceMillis;
            diskFull = o.diskFull;
        }
    }
}
