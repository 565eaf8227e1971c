package dev.netscan.influx;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.zip.Deflater;

/**
 * The batched InfluxDB line-protocol writer: the {@link MetricsSink} that gets every measurement
 * into the database, across outages and restarts, without ever blocking a producer.
 *
 * <h2>How data flows</h2>
 * The producer half, the flush thread's loop, the flush handshake and close are shared with the
 * local sinks ({@link QueuedSink}): {@code offer*} puts the value (no copy, no encoding) into a
 * bounded lock-free queue and returns. This class says how a batch is made and sent: the flush
 * thread encodes values into line protocol ({@link LineProtocolEncoder}), seals a batch at
 * {@code batchSize} points or when the oldest point has waited {@code flushInterval}, gzips it,
 * and sends it (HTTP/1.1 keep-alive, one request in flight, never blocking the thread while
 * waiting). Request building, Retry-After and setting refused batches aside live in
 * {@link InfluxEndpoint}.
 *
 * <p>Sealed batches form one FIFO: the on-disk {@link Spool} (oldest) followed by a small memory
 * queue. The oldest batch is always the one sent next, so points arrive in the order they were
 * offered, per device and overall. Batches move to the spool (keeping FIFO order) when a send
 * fails in a retryable way (the database is treated as unreachable until a send succeeds), when
 * the memory queue holds more than {@code memoryBatchBytes}, or when the point queue passes its
 * high-water mark; while the spool holds anything, new batches are appended behind it.
 *
 * <h2>Retries</h2>
 * Network errors, 5xx, 408 and 429 are retried with exponential backoff and jitter (delay drawn
 * uniformly from [d/2, d], d doubling from {@code retryInitialBackoff} to {@code retryMaxBackoff});
 * a {@code Retry-After} header (seconds or HTTP date, capped at {@code maxRetryAfter}) replaces the
 * backoff. 401/403/404 are configuration problems: retried at backoff pace and logged, data kept.
 * 400, 413, 422 and other 4xx mean bad data: the batch is set aside in {@code dataDir/rejected/},
 * counted as rejected, and the writer moves on.
 *
 * <h2>Disk full or unwritable data directory</h2>
 * When the spool cannot take a batch (device full, I/O error, the directory cannot be created),
 * the oldest spool segments are deleted first (counted as dropped, reason disk full); when none
 * is left to delete, batches stay in memory up to {@code 4 * max(memoryBatchBytes, 1 MiB)} and
 * the oldest beyond it are dropped (disk full). The state is visible ({@code diskFull} in
 * {@link #counters()}); the spool is tried again every second and spooling resumes by itself
 * when space returns ({@link BatchFifo}). Damaged spool records found at start or while
 * draining are skipped and counted, never fatal.
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} opens the spool (draining what an earlier run left) and starts the flush
 * thread; {@link #close()} stops accepting, tries for at most {@code closeTimeout} to deliver what
 * is in memory, spools the rest, and counts what could not be stored as dropped (shutdown). Both
 * idempotent. Offers made before {@code start()} are queued.
 *
 * <p>Thread safety: {@code offer*}, {@link #counters()}, {@link #setBatchSize(int)},
 * {@link #flush()} and {@link #close()} may be called from any thread.
 */
public final class InfluxWriter extends QueuedSink {

    private static final System.Logger LOG = System.getLogger(InfluxWriter.class.getName());
    private static final long IDLE_PARK_NANOS = 5_000_000L;

    private final WriterConfig config;
    private final InstantSource clock;
    private final InfluxEndpoint endpoint;
    /** The transport a test injects; null for HTTP. */
    private final InfluxEndpoint.Transport injectedTransport;
    private final Object lifecycle = new Object();
    /** Points per batch; written by the governor (any thread), read by the flush thread. */
    private volatile int batchSize;
    /** Written under lifecycle by start(); the flush thread starts after it. */
    private boolean started;

    // ---- owned by the flush thread (set up by start() before the thread starts)
    private LineProtocolEncoder dataEnc;
    private LineProtocolEncoder healthEnc;
    private Gzip gzip;
    private InfluxEndpoint.Transport transport;
    private long dataBatchStartNanos;
    private long healthBatchStartNanos;
    /** Sealed batches: the spool, then memory; the disk-full policy. */
    private final BatchFifo fifo;
    private CompletableFuture<HttpResponse<String>> inFlight;
    private BatchFifo.Batch inFlightBatch;
    private Spool.Record inFlightRecord;
    private int attempt;
    private long nextAttemptNanos;
    private boolean unreachable;
    private long unreachableSinceMillis;
    private final SplittableRandom jitter = new SplittableRandom();

    /** A writer with the system clock. No I/O happens until {@link #start()}. */
    public InfluxWriter(WriterConfig config) {
        this(config, InstantSource.system(), System::nanoTime);
    }

    /**
     * A writer with injected clocks.
     *
     * @param clock wall clock, used for HTTP-date {@code Retry-After}, rejected file names and
     *     "unreachable since"
     * @param nanoTime monotonic clock for flush intervals and backoff
     */
    public InfluxWriter(WriterConfig config, InstantSource clock, LongSupplier nanoTime) {
        this(config, clock, nanoTime, null);
    }

    /** A writer sending through {@code transport} (a test seam for failures); null for HTTP. */
    InfluxWriter(WriterConfig config, InstantSource clock, LongSupplier nanoTime, InfluxEndpoint.Transport transport) {
        super(requireConfig(config, clock, nanoTime).queueCapacity(), "netscan-influx-flush",
                config.closeTimeout().toNanos(), nanoTime);
        this.config = config;
        this.clock = clock;
        this.batchSize = config.batchSize();
        this.endpoint = new InfluxEndpoint(config, clock);
        this.injectedTransport = transport;
        this.fifo = new BatchFifo(config, nanoTime, tally);
    }

    private static WriterConfig requireConfig(WriterConfig config, InstantSource clock, LongSupplier nanoTime) {
        if (config == null || clock == null || nanoTime == null) {
            throw new IllegalArgumentException("config, clock and nanoTime are required");
        }
        return config;
    }

    /**
     * Sets the batch size from now on (the governor's knob).
     *
     * @throws IllegalArgumentException outside {@value WriterConfig#MIN_RUNTIME_BATCH_SIZE} ..
     *     {@value WriterConfig#MAX_RUNTIME_BATCH_SIZE}
     */
    @Override
    public void setBatchSize(int points) {
        if (points < WriterConfig.MIN_RUNTIME_BATCH_SIZE || points > WriterConfig.MAX_RUNTIME_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size must be " + WriterConfig.MIN_RUNTIME_BATCH_SIZE + ".."
                    + WriterConfig.MAX_RUNTIME_BATCH_SIZE + ", was " + points);
        }
        batchSize = points;
    }

    /** The current batch size in points. */
    public int batchSize() {
        return batchSize;
    }

    /** The configuration this writer runs with. */
    public WriterConfig config() {
        return config;
    }

    /** Retry-After as seconds or an HTTP date, capped; -1 when unparseable (see {@link InfluxEndpoint}). */
    long retryAfterNanos(String value) {
        return endpoint.retryAfterNanos(value);
    }

    // ------------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Opens the spool under {@code dataDir/spool} (an earlier run's batches will be sent first)
     * and starts the flush thread. Idempotent. A data directory that cannot hold the spool does
     * not stop the start: the writer runs with the disk-full policy and keeps trying.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public InfluxWriter start() {
        synchronized (lifecycle) {
            if (started) {
                return this;
            }
            if (isClosing()) {
                throw new IllegalStateException("writer was closed");
            }
            int initial = Math.min(config.batchSize(), 5_000) * 96;
            dataEnc = new LineProtocolEncoder(config.precision(), Math.max(4096, initial));
            healthEnc = new LineProtocolEncoder(config.precision(), 4096);
            config.tags().forEach((k, v) -> {
                dataEnc.tagEveryLine(k, v);
                healthEnc.tagEveryLine(k, v);
            });
            gzip = new Gzip(Deflater.BEST_SPEED);
            transport = injectedTransport != null ? injectedTransport : InfluxEndpoint.Transport.http(config.connectTimeout());
            long now = nanoTime.getAsLong();
            dataBatchStartNanos = now;
            healthBatchStartNanos = now;
            if (fifo.openSpool() && fifo.spoolPendingPoints() > 0) {
                LOG.log(System.Logger.Level.INFO, "spool holds {0} points from an earlier run; draining them first",
                        fifo.spoolPendingPoints());
            }
            publish();
            started = true;
            startThread();
            return this;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Flush thread: batching

    @Override
    LineProtocolEncoder encoderFor(Object value) {
        boolean health = value instanceof HealthReport;
        LineProtocolEncoder e = health ? healthEnc : dataEnc;
        if (e.lines() == 0) {
            if (health) {
                healthBatchStartNanos = nanoTime.getAsLong();
            } else {
                dataBatchStartNanos = nanoTime.getAsLong();
            }
        }
        return e;
    }

    @Override
    void encoded(Object value, LineProtocolEncoder e) {
        boolean health = e == healthEnc;
        if (e.lines() >= (health ? 1_000 : batchSize)) {
            seal(health);
        }
    }

    @Override
    boolean deliver(long now) throws IOException {
        long interval = config.flushInterval().toNanos();
        if (dataEnc.lines() > 0 && now - dataBatchStartNanos >= interval) {
            seal(false);
        }
        if (healthEnc.lines() > 0 && now - healthBatchStartNanos >= interval) {
            seal(true);
        }
        leaseIfSpooled(fifo.retryDisk(now, inFlightBatch));
        return pump(now);
    }

    @Override
    void sealAll() {
        seal(false);
        seal(true);
    }

    @Override
    boolean settled() {
        return fifo.memoryEmpty() && inFlight == null && (!fifo.spoolHolds() || unreachable);
    }

    @Override
    long idleParkNanos(long now) {
        long park = IDLE_PARK_NANOS;
        if (nextAttemptNanos > now) {
            park = Math.min(park, nextAttemptNanos - now);
        }
        return park;
    }

    /** Turns an encoder's lines into a sealed batch at the tail of the FIFO. */
    private void seal(boolean health) {
        LineProtocolEncoder e = health ? healthEnc : dataEnc;
        int points = e.lines();
        if (points == 0) {
            return;
        }
        byte[] body = config.gzip() ? gzip.compress(e.array(), 0, e.size()) : e.toByteArray();
        int flags = (config.gzip() ? Spool.FLAG_GZIP : 0) | (health ? Spool.FLAG_HEALTH : 0)
                | (config.precision().ordinal() << Spool.PRECISION_SHIFT);
        if (e.array().length > 4 << 20) {
            e.trimTo(1 << 20); // do not keep an outsized buffer after a burst
        } else {
            e.reset();
        }
        fifo.add(new BatchFifo.Batch(flags, points, body));
        if (unreachable || fifo.spoolHolds() || queueSize() > config.queueHighWater()
                || fifo.memoryBytes() > config.memoryBatchBytes()) {
            spill();
        }
    }

    /** Moves memory batches to the spool (see {@link BatchFifo}); the in-flight one becomes the leased spool head. */
    private void spill() {
        leaseIfSpooled(fifo.spill(inFlightBatch));
    }

    private void leaseIfSpooled(Spool.Record r) {
        if (r != null) {
            inFlightRecord = r;
            inFlightBatch = null;
        }
    }

    @Override
    void gauges(Tally t) {
        fifo.gauges(t);
        long memoryNow = fifo.memoryPoints();
        if (dataEnc != null) {
            memoryNow += dataEnc.lines() + healthEnc.lines();
        }
        if (inFlightRecord != null && inFlightRecord.droppedBy != 0) {
            memoryNow += inFlightRecord.points; // deleted from disk while in flight: only here now
        }
        t.inMemory = memoryNow;
        t.batchSize = batchSize;
        t.reachable = !unreachable;
        t.unreachableSinceMillis = unreachable ? unreachableSinceMillis : 0;
    }

    // ------------------------------------------------------------------------------------------
    // Flush thread: sending

    /** Completes the in-flight request if done, and starts the next one when allowed. */
    private boolean pump(long now) throws IOException {
        boolean progressed = false;
        if (inFlight != null) {
            if (!inFlight.isDone()) {
                return false;
            }
            complete(now);
            progressed = true;
            now = nanoTime.getAsLong();
        }
        if (now < nextAttemptNanos) {
            return progressed;
        }
        Spool.Record r = fifo.peekSpool();
        if (r != null) {
            inFlight = send(r.flags, r.body);
            inFlightRecord = r;
            return true;
        }
        BatchFifo.Batch b = fifo.memoryHead();
        if (b != null) {
            inFlight = send(b.flags(), b.body());
            inFlightBatch = b;
            return true;
        }
        return progressed;
    }

    private CompletableFuture<HttpResponse<String>> send(int flags, byte[] body) {
        CompletableFuture<HttpResponse<String>> f;
        try {
            f = transport.send(endpoint.request(flags, body));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        Thread t = Thread.currentThread();
        f.whenComplete((r, e) -> LockSupport.unpark(t));
        return f;
    }

    private void complete(long now) throws IOException {
        CompletableFuture<HttpResponse<String>> f = inFlight;
        inFlight = null;
        boolean fromSpool = inFlightRecord != null;
        int points = fromSpool ? inFlightRecord.points : inFlightBatch.points();
        int flags = fromSpool ? inFlightRecord.flags : inFlightBatch.flags();
        byte[] body = fromSpool ? inFlightRecord.body : inFlightBatch.body();
        HttpResponse<String> resp = null;
        String error = null;
        try {
            resp = f.join();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            error = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
        }
        int status = resp == null ? -1 : resp.statusCode();
        if (status >= 200 && status < 300) {
            tally.confirmed += points;
            tally.batchesConfirmed++;
            if (unreachable) {
                LOG.log(System.Logger.Level.INFO, "database reachable again; draining {0} spooled points",
                        fifo.spoolPendingPoints());
            }
            unreachable = false;
            attempt = 0;
            nextAttemptNanos = 0;
            consumeInFlight(true, points);
            return;
        }
        tally.failures++;
        if (!InfluxEndpoint.retryable(status)) {
            tally.rejected += points;
            tally.batchesRejected++;
            endpoint.setAside(status, resp.body(), flags, points, body);
            attempt = 0;
            nextAttemptNanos = 0;
            consumeInFlight(false, points);
            return;
        }
        tally.retries++;
        attempt++;
        long delay = backoffNanos(attempt);
        if (resp != null && (status == 429 || status == 503)) {
            Optional<String> ra = resp.headers().firstValue("Retry-After");
            if (ra.isPresent()) {
                long parsed = endpoint.retryAfterNanos(ra.get());
                if (parsed >= 0) {
                    delay = parsed;
                }
            }
        }
        nextAttemptNanos = now + delay;
        if (!unreachable || attempt == 1 || status == 401 || status == 403 || status == 404) {
            LOG.log(System.Logger.Level.WARNING, "write of {0} points failed ({1}); retrying in {2} ms, spooling meanwhile",
                    points, resp == null ? error : "HTTP " + status + " " + InfluxEndpoint.snippet(resp.body()), delay / 1_000_000);
        }
        if (!unreachable) {
            unreachable = true;
            unreachableSinceMillis = clock.millis();
        }
        if (inFlightRecord == null) {
            // Memory head failed: it and everything behind it go to disk, in order; it becomes
            // the leased spool head (or stays the memory head when the disk cannot take it).
            spill();
        }
        releaseInFlightRecord();
        inFlightBatch = null;
    }

    /** The spooled batch in flight was not confirmed (see {@link BatchFifo#unconfirmed}). */
    private void releaseInFlightRecord() throws IOException {
        Spool.Record r = inFlightRecord;
        if (r != null) {
            inFlightRecord = null;
            fifo.unconfirmed(r);
        }
    }

    private void consumeInFlight(boolean confirmed, int points) throws IOException {
        if (inFlightRecord != null) {
            if (confirmed) {
                tally.drained += points;
            }
            Spool.Record r = inFlightRecord;
            inFlightRecord = null;
            fifo.consumed(r);
        } else {
            fifo.consumeMemoryHead();
            inFlightBatch = null;
        }
    }

    private long backoffNanos(int attempt) {
        long initial = config.retryInitialBackoff().toNanos();
        long max = config.retryMaxBackoff().toNanos();
        long d = initial;
        for (int i = 1; i < attempt && d < max; i++) {
            d *= 2;
        }
        d = Math.min(d, max);
        return d / 2 + jitter.nextLong(d / 2 + 1);
    }

    // ------------------------------------------------------------------------------------------
    // Flush thread: close

    @Override
    void finish(long deadline) {
        try {
            sealAll();
            while (nanoTime.getAsLong() < deadline && (inFlight != null || !fifo.memoryEmpty())) {
                if (!pump(nanoTime.getAsLong())) {
                    if (inFlight == null && nextAttemptNanos > deadline) {
                        break; // the next retry would come after the bound: spool now
                    }
                    LockSupport.parkNanos(Math.max(Math.min(1_000_000L, deadline - nanoTime.getAsLong()), 1_000L));
                }
            }
            if (inFlight != null) {
                // Unknown whether the server got it: keep it; a retry may duplicate with identical identity.
                inFlight.cancel(true);
                inFlight = null;
                inFlightBatch = null;
                releaseInFlightRecord();
            }
            drainAll(); // a racing offer may have slipped in before closing was seen
            sealAll();
            fifo.tryDiskNow(); // one last try even when the disk was full
            spill();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "influx writer close sequence failed; counting the rest as dropped", e);
        } finally {
            release();
        }
    }

    /** Counts what is still in memory as dropped (shutdown) and releases spool, gzip and transport. */
    private void release() {
        tally.droppedShutdown += fifo.close() + dataEnc.lines() + healthEnc.lines();
        dataEnc.reset();
        healthEnc.reset();
        gzip.close();
        transport.close(); // never waits for a stalled request: close() is bounded
    }
}
