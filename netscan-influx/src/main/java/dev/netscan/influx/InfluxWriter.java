package dev.netscan.influx;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.zip.Deflater;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The batched InfluxDB line-protocol writer: the {@link MetricsSink} that gets every measurement
 * into the database, across outages and restarts, without ever blocking a producer.
 *
 * <h2>How data flows</h2>
 * {@code offer*} puts the value (no copy, no encoding) into a bounded lock-free MPSC queue
 * (JCTools {@link MpscAtomicArrayQueue}, the variant without sun.misc.Unsafe) and returns; a full queue refuses the offer and counts it as
 * dropped. One flush thread owns everything else: it encodes queued values into line protocol
 * ({@link LineProtocolEncoder}), seals a batch at {@code batchSize} points or when the oldest
 * point has waited {@code flushInterval}, gzips it, and sends it with {@link HttpClient} (HTTP/1.1
 * keep-alive, one request in flight, never blocking the thread while waiting).
 *
 * <p>Sealed batches form one FIFO: the on-disk {@link Spool} (oldest) followed by a small memory
 * queue. The oldest batch is always the one sent next, so points arrive in the order they were
 * offered, per device and overall. Batches move to the spool (keeping FIFO order) when a send
 * fails in a retryable way (the database is treated as unreachable until a send succeeds), when
 * the memory queue holds more than {@code memoryBatchBytes}, or when the point queue passes its
 * high-water mark; while the spool holds anything, new batches are appended behind it and drain
 * through it, oldest first.
 *
 * <h2>Retries</h2>
 * Network errors, 5xx, 408 and 429 are retried with exponential backoff and jitter (delay drawn
 * uniformly from [d/2, d], d doubling from {@code retryInitialBackoff} to {@code retryMaxBackoff});
 * a {@code Retry-After} header (seconds or HTTP date, capped at {@code maxRetryAfter}) replaces the
 * backoff. 401/403/404 are configuration problems: retried at backoff pace and logged, data kept.
 * 400, 413, 422 and other 4xx mean bad data: the batch is written to
 * {@code dataDir/rejected/} (a comment line with the status and the server's message, then the
 * lines) and counted, and the writer moves on.
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} opens the spool (draining what an earlier run left) and starts the flush
 * thread; {@link #close()} stops accepting, tries for at most {@code closeTimeout} to deliver what
 * is in memory, and spools the rest. Both idempotent. Offers made before {@code start()} are queued.
 *
 * <p>Thread safety: {@code offer*}, {@link #counters()}, {@link #setBatchSize(int)},
 * {@link #flush()} and {@link #close()} may be called from any thread.
 */
public final class InfluxWriter implements MetricsSink {

    private static final System.Logger LOG = System.getLogger(InfluxWriter.class.getName());
    private static final int DRAIN_CHUNK = 4_096;
    private static final long IDLE_PARK_NANOS = 5_000_000L;

    /** A device_info value waiting in the queue (the port passes three arguments). */
    private record DeviceInfoItem(int ipv4, SnmpInfo info, long timestampEpochNanos) {}

    /** A sealed batch waiting in memory. */
    private record Batch(int flags, int points, byte[] body) {}

    private final WriterConfig config;
    private final InstantSource clock;
    private final LongSupplier nanoTime;
    private final MpscAtomicArrayQueue<Object> queue;
    /** Write URIs by [health ? 1 : 0][precision ordinal]: a spooled batch keeps the precision it was encoded with. */
    private final URI[][] writeUris = new URI[2][Precision.values().length];
    private final String authHeader;

    // ---- written by any thread
    private final LongAdder offered = new LongAdder();
    private final LongAdder refused = new LongAdder();
    /** Points per batch; written by the governor (any thread), read by the flush thread. */
    private volatile int batchSize;
    private volatile boolean closing;
    private final FlushRequests flushes = new FlushRequests();
    private final Object lifecycle = new Object();

    // ---- written by the flush thread only, read by any thread (single writer: plain increments of
    // volatile fields are safe, readers see a recent value)
    private volatile long pointsConfirmed;
    private volatile long batchesConfirmed;
    private volatile long retries;
    private volatile long failures;
    private volatile long pointsRejected;
    private volatile long batchesRejected;
    private volatile long pointsSpooled;
    private volatile long batchesSpooled;
    private volatile long pointsDrained;
    private volatile long pointsDroppedInternally;
    private volatile long spoolCapReached;
    private volatile long spoolCorrupt;
    private volatile long spoolBytes;
    private volatile long spoolPending;
    private volatile boolean stopped;

    // ---- owned by the flush thread
    private LineProtocolEncoder dataEnc;
    private LineProtocolEncoder healthEnc;
    private Gzip gzip;
    private long dataBatchStartNanos;
    private long healthBatchStartNanos;
    private final ArrayDeque<Batch> memory = new ArrayDeque<>();
    private long memoryBytes;
    private Spool spool;
    private HttpClient http;
    private CompletableFuture<HttpResponse<String>> inFlight;
    private Batch inFlightBatch;
    private Spool.Record inFlightRecord;
    private int attempt;
    private long nextAttemptNanos;
    /** Written by the flush thread; volatile so {@link #counters()} can report it. */
    private volatile boolean unreachable;
    private final SplittableRandom jitter = new SplittableRandom();
    private long rejectedFiles;
    private Thread flusher;
    private boolean capLogged;

    /** A writer with the system clock. No I/O happens until {@link #start()}. */
    public InfluxWriter(WriterConfig config) {
        this(config, InstantSource.system(), System::nanoTime);
    }

    /**
     * A writer with injected clocks.
     *
     * @param clock wall clock, used for HTTP-date {@code Retry-After} and rejected file names
     * @param nanoTime monotonic clock for flush intervals and backoff
     */
    public InfluxWriter(WriterConfig config, InstantSource clock, LongSupplier nanoTime) {
        if (config == null || clock == null || nanoTime == null) {
            throw new IllegalArgumentException("config, clock and nanoTime are required");
        }
        this.config = config;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.batchSize = config.batchSize();
        this.queue = new MpscAtomicArrayQueue<>(config.queueCapacity());
        for (Precision p : Precision.values()) {
            writeUris[0][p.ordinal()] = writeUri(config, false, p);
            writeUris[1][p.ordinal()] = writeUri(config, true, p);
        }
        this.authHeader = authHeader(config);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static URI writeUri(WriterConfig c, boolean health, Precision precision) {
        String base = c.url().toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        StringBuilder b = new StringBuilder(base);
        if (c.api() == WriterConfig.Api.V2) {
            b.append("/api/v2/write?org=").append(enc(c.org()))
                    .append("&bucket=").append(enc(health ? c.healthBucket() : c.bucket()));
        } else {
            b.append("/write?db=").append(enc(health ? c.healthDatabase() : c.database()));
            if (c.retentionPolicy() != null && !c.retentionPolicy().isBlank()) {
                b.append("&rp=").append(enc(c.retentionPolicy()));
            }
            if (c.v1AuthInQuery() && c.username() != null) {
                b.append("&u=").append(enc(c.username())).append("&p=").append(enc(c.password()));
            }
        }
        b.append("&precision=").append(precision.queryValue());
        return URI.create(b.toString());
    }

    private static String authHeader(WriterConfig c) {
        if (c.api() == WriterConfig.Api.V2) {
            return "Token " + c.token();
        }
        if (c.username() != null && !c.v1AuthInQuery()) {
            return "Basic " + Base64.getEncoder().encodeToString(
                    (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------
    // Producer side

    private boolean enqueue(Object item) {
        if (closing || !queue.offer(item)) {
            refused.increment();
            return false;
        }
        offered.increment();
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
            return true; // nothing to write; not counted as offered
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
    public boolean offerDeviceEvent(DeviceEvent event) {
        return enqueue(event);
    }

    /** {@inheritDoc} Never blocks; goes to the health bucket/database. */
    @Override
    public boolean offerHealth(HealthReport report) {
        return enqueue(report);
    }

    /**
     * Sets the batch size from now on (the governor's knob).
     *
     * @throws IllegalArgumentException outside {@value WriterConfig#MIN_RUNTIME_BATCH_SIZE} ..
     *     {@value WriterConfig#MAX_RUNTIME_BATCH_SIZE}
     */
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

    /** A consistent-enough snapshot of the counters; cheap, callable from any thread at any time. */
    public WriterCounters counters() {
        return new WriterCounters(offered.sum(), pointsConfirmed, batchesConfirmed, retries, failures,
                pointsRejected, batchesRejected, pointsSpooled, batchesSpooled, pointsDrained,
                refused.sum() + pointsDroppedInternally, spoolCapReached, spoolCorrupt, queue.size(), spoolBytes,
                spoolPending, !unreachable);
    }

    // ------------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Opens the spool under {@code dataDir/spool} (an earlier run's batches will be sent first)
     * and starts the flush thread. Idempotent.
     *
     * @throws UncheckedIOException if the data directory cannot be used
     */
    public InfluxWriter start() {
        synchronized (lifecycle) {
            if (flusher != null) {
                return this;
            }
            if (closing) {
                throw new IllegalStateException("writer was closed");
            }
            try {
                Files.createDirectories(config.dataDir());
                spool = new Spool(config.dataDir().resolve("spool"), config.spoolSegmentBytes(),
                        config.spoolMaxBytes(), config.spoolFsync());
                spool.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the spool in " + config.dataDir() + ": " + e.getMessage(), e);
            }
            syncSpoolCounters();
            if (spoolPending > 0) {
                LOG.log(System.Logger.Level.INFO, "spool holds {0} points from an earlier run; draining them first", spoolPending);
            }
            int initial = Math.min(config.batchSize(), 5_000) * 96;
            dataEnc = new LineProtocolEncoder(config.precision(), Math.max(4096, initial));
            healthEnc = new LineProtocolEncoder(config.precision(), 4096);
            gzip = new Gzip(Deflater.BEST_SPEED);
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(config.connectTimeout())
                    .build();
            flusher = Thread.ofPlatform().name("netscan-influx-flush").daemon(true).unstarted(this::run);
            flusher.start();
            return this;
        }
    }

    /**
     * Seals what is buffered and waits (at most {@code closeTimeout}) until it is confirmed by the
     * server or, if the server is unreachable, safely in the spool. Any thread.
     */
    @Override
    public void flush() {
        Thread t = flusher;
        if (t == null || stopped) {
            return;
        }
        flushes.requestAndAwait(t, () -> stopped, config.closeTimeout().toNanos(), 1_000_000L);
    }

    /**
     * Stops accepting offers, delivers what is in memory within {@code closeTimeout}, spools the
     * rest and stops the flush thread. Idempotent; blocks at most about {@code closeTimeout} plus
     * the time to write the remainder to disk.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            closing = true;
            t = flusher;
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Flush thread

    private void run() {
        try {
            loop();
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "influx flush thread failed; spooling what it can", e);
            try {
                spillAll();
            } catch (Throwable e2) {
                LOG.log(System.Logger.Level.ERROR, "could not spool on failure", e2);
            }
        } finally {
            try {
                spool.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing spool", e);
            }
            gzip.close();
            http.shutdownNow(); // never wait for a stalled request: close() is bounded

            syncSpoolCounters();
            stopped = true;
        }
    }

    private void loop() throws IOException {
        long start = nanoTime.getAsLong();
        dataBatchStartNanos = start;
        healthBatchStartNanos = start;
        long servingFlush = 0;
        while (!closing) {
            try {
                iteration(servingFlush);
            } catch (IOException e) {
                // Disk trouble (spool full device, permissions): keep running, keep counting.
                long t = nanoTime.getAsLong();
                if (t - lastIoErrorLogNanos > 60_000_000_000L) {
                    lastIoErrorLogNanos = t;
                    LOG.log(System.Logger.Level.ERROR, "spool I/O failed in " + config.dataDir() + ": " + e);
                }
                LockSupport.parkNanos(100_000_000L);
            }
            servingFlush = servingFlushRequest;
        }
        closeSequence();
    }

    private long servingFlushRequest;
    private long lastIoErrorLogNanos = Long.MIN_VALUE / 2;

    private void iteration(long servingFlush) throws IOException {
        long now;
        {
            int drained = drainQueue();
            now = nanoTime.getAsLong();
            long interval = config.flushInterval().toNanos();
            if (dataEnc.lines() > 0 && now - dataBatchStartNanos >= interval) {
                seal(false);
            }
            if (healthEnc.lines() > 0 && now - healthBatchStartNanos >= interval) {
                seal(true);
            }
            long req = flushes.latest();
            if (req > flushes.served() && servingFlush < req) {
                // Take everything offered before the request (bounded: producers may keep offering).
                int present = queue.size();
                for (int taken = 0; taken < present; ) {
                    int n = drainQueue();
                    if (n == 0) {
                        break;
                    }
                    taken += n;
                }
                seal(false);
                seal(true);
                servingFlush = req;
                servingFlushRequest = req;
            }
            boolean progressed = pump(now);
            if (servingFlush > flushes.served() && memory.isEmpty() && inFlight == null
                    && (spool.isEmpty() || unreachable)) {
                flushes.markServed(servingFlush);
            }
            syncSpoolCounters();
            if (drained == 0 && !progressed && !closing) {
                long park = IDLE_PARK_NANOS;
                if (nextAttemptNanos > now) {
                    park = Math.min(park, nextAttemptNanos - now);
                }
                LockSupport.parkNanos(Math.max(park, 100_000L));
            }
        }
        servingFlushRequest = servingFlush;
    }

    private void closeSequence() throws IOException {
        long deadline = nanoTime.getAsLong() + config.closeTimeout().toNanos();
        while (drainQueue() > 0) {
            // offers are refused now; take what got in
        }
        seal(false);
        seal(true);
        while (nanoTime.getAsLong() < deadline && (inFlight != null || !memory.isEmpty())) {
            if (!pump(nanoTime.getAsLong())) {
                long wait = Math.min(1_000_000L, deadline - nanoTime.getAsLong());
                if (inFlight == null && nextAttemptNanos > nanoTime.getAsLong()) {
                    if (nextAttemptNanos > deadline) {
                        break; // the next retry would come after the bound: spool now
                    }
                }
                LockSupport.parkNanos(Math.max(wait, 1_000L));
            }
        }
        if (inFlight != null) {
            // Unknown whether the server got it: keep it; a retry may duplicate with identical identity.
            inFlight.cancel(true);
            inFlight = null;
            if (inFlightRecord != null) {
                spool.release(inFlightRecord);
                inFlightRecord = null;
            }
            inFlightBatch = null;
        }
        while (drainQueue() > 0) {
            // a racing offer may have slipped in before closing was seen
        }
        seal(false);
        seal(true);
        spillAll();
        syncSpoolCounters();
    }

    private void spillAll() throws IOException {
        while (drainQueue() > 0) {
            // nothing
        }
        seal(false);
        seal(true);
        spillMemory();
    }

    /** Moves up to a chunk of queued values into the encoders; seals full batches. */
    private int drainQueue() throws IOException {
        int n = 0;
        Object o;
        while (n < DRAIN_CHUNK && (o = queue.relaxedPoll()) != null) {
            n++;
            encode(o);
        }
        if (n == 0 && !queue.isEmpty()) {
            // relaxedPoll may miss an element mid-publication; take the strict path once.
            o = queue.poll();
            if (o != null) {
                n++;
                encode(o);
            }
        }
        return n;
    }

    private void encode(Object o) throws IOException {
        boolean health = o instanceof HealthReport;
        LineProtocolEncoder e = health ? healthEnc : dataEnc;
        if (e.lines() == 0) {
            if (health) {
                healthBatchStartNanos = nanoTime.getAsLong();
            } else {
                dataBatchStartNanos = nanoTime.getAsLong();
            }
        }
        try {
            switch (o) {
                case PingResult r -> Measurements.ping(e, r);
                case DeviceEvent d -> Measurements.deviceEvent(e, d);
                case PingStats s -> Measurements.pingStats(e, s);
                case HealthReport h -> Measurements.health(e, h);
                case DeviceInfoItem d -> Measurements.deviceInfo(e, d.ipv4(), d.info(), d.timestampEpochNanos());
                default -> throw new IllegalArgumentException("unexpected queued value " + o.getClass());
            }
        } catch (IllegalArgumentException | IllegalStateException bad) {
            // A value the protocol cannot carry: the encoder removed the partial line.
            pointsDroppedInternally++;
            LOG.log(System.Logger.Level.WARNING, "dropping a value that cannot be encoded: {0}", bad.getMessage());
        }
        if (e.lines() >= (health ? 1_000 : batchSize)) {
            seal(health);
        }
    }

    /** Turns an encoder's lines into a sealed batch at the tail of the FIFO. */
    private void seal(boolean health) throws IOException {
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
        Batch b = new Batch(flags, points, body);
        boolean toDisk = unreachable || !spool.isEmpty() || queue.size() > config.queueHighWater()
                || memoryBytes + body.length > config.memoryBatchBytes();
        if (toDisk) {
            try {
                spillMemory();
                appendToSpool(b);
            } catch (IOException ioe) {
                // The spool cannot take it: hold it in memory up to a hard bound, else count it lost.
                if (memoryBytes + body.length <= 4 * Math.max(config.memoryBatchBytes(), 1L << 20)) {
                    memory.addLast(b);
                    memoryBytes += body.length;
                } else {
                    pointsDroppedInternally += points;
                }
                throw ioe;
            }
        } else {
            memory.addLast(b);
            memoryBytes += body.length;
        }
    }

    private Spool.Record appendToSpool(Batch b) throws IOException {
        long droppedBefore = spool.droppedPoints;
        long capBefore = spool.capReachedEvents;
        Spool.Record r = spool.append(b.flags, b.points, b.body, 0, b.body.length);
        pointsSpooled += b.points;
        batchesSpooled++;
        if (spool.capReachedEvents != capBefore) {
            spoolCapReached += spool.capReachedEvents - capBefore;
            if (!capLogged) {
                capLogged = true;
                LOG.log(System.Logger.Level.WARNING, "spool cap of {0} bytes reached in {1}: dropping the oldest points ({2} so far)",
                        config.spoolMaxBytes(), config.dataDir(), spool.droppedPoints);
            }
        }
        pointsDroppedInternally += spool.droppedPoints - droppedBefore;
        syncSpoolCounters();
        return r;
    }

    /** Moves every memory batch to the spool, oldest first; the in-flight one becomes the spool head. */
    private void spillMemory() throws IOException {
        while (!memory.isEmpty()) {
            Batch b = memory.peekFirst();
            Spool.Record r = appendToSpool(b); // on failure the batch stays in memory, in order
            memory.pollFirst();
            memoryBytes -= b.body.length;
            if (b == inFlightBatch) {
                spool.leaseAppended(r);
                inFlightRecord = r;
                inFlightBatch = null;
            }
        }
    }

    private void syncSpoolCounters() {
        if (spool != null) {
            spoolBytes = spool.bytes();
            spoolPending = spool.pendingPoints();
            spoolCorrupt = spool.corruptRecords;
        }
    }

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
        Spool.Record r = spool.isEmpty() ? null : spool.peek();
        if (r != null) {
            inFlightRecord = r;
            inFlight = send(r.flags, r.body);
            return true;
        }
        syncSpoolCounters();
        Batch b = memory.peekFirst();
        if (b != null) {
            inFlightBatch = b;
            inFlight = send(b.flags, b.body);
            return true;
        }
        return progressed;
    }

    private CompletableFuture<HttpResponse<String>> send(int flags, byte[] body) {
        URI uri = writeUris[(flags & Spool.FLAG_HEALTH) != 0 ? 1 : 0][(flags >> Spool.PRECISION_SHIFT) & 3];
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if ((flags & Spool.FLAG_GZIP) != 0) {
            rb.header("Content-Encoding", "gzip");
        }
        if (authHeader != null) {
            rb.header("Authorization", authHeader);
        }
        CompletableFuture<HttpResponse<String>> f;
        try {
            f = http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        Thread t = flusher;
        f.whenComplete((r, e) -> LockSupport.unpark(t));
        return f;
    }

    private void complete(long now) throws IOException {
        CompletableFuture<HttpResponse<String>> f = inFlight;
        inFlight = null;
        int points;
        int flags;
        byte[] body;
        if (inFlightRecord != null) {
            points = inFlightRecord.points;
            flags = inFlightRecord.flags;
            body = inFlightRecord.body;
        } else {
            points = inFlightBatch.points;
            flags = inFlightBatch.flags;
            body = inFlightBatch.body;
        }
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
            pointsConfirmed += points;
            batchesConfirmed++;
            if (unreachable) {
                LOG.log(System.Logger.Level.INFO, "database reachable again; draining {0} spooled points", spool.pendingPoints());
            }
            unreachable = false;
            attempt = 0;
            nextAttemptNanos = 0;
            consumeInFlight(true, points);
            return;
        }
        failures++;
        boolean retryable = resp == null || status >= 500 || status == 408 || status == 429
                || status == 401 || status == 403 || status == 404;
        if (!retryable) {
            reject(status, resp.body(), flags, points, body);
            attempt = 0;
            nextAttemptNanos = 0;
            consumeInFlight(false, points);
            return;
        }
        retries++;
        attempt++;
        long delay = backoffNanos(attempt);
        if (resp != null && (status == 429 || status == 503)) {
            Optional<String> ra = resp.headers().firstValue("Retry-After");
            if (ra.isPresent()) {
                long parsed = retryAfterNanos(ra.get());
                if (parsed >= 0) {
                    delay = parsed;
                }
            }
        }
        nextAttemptNanos = now + delay;
        if (!unreachable || attempt == 1 || status == 401 || status == 403 || status == 404) {
            LOG.log(System.Logger.Level.WARNING, "write of {0} points failed ({1}); retrying in {2} ms, spooling meanwhile",
                    points, resp == null ? error : "HTTP " + status + " " + snippet(resp.body()), delay / 1_000_000);
        }
        unreachable = true;
        if (inFlightRecord == null) {
            // Memory head failed: it and everything behind it go to disk, in order; it becomes
            // the leased spool head.
            spillMemory();
        }
        if (inFlightRecord != null) {
            if (inFlightRecord.dropped) {
                // The cap removed its segment while it was in flight: it is gone now.
                pointsDroppedInternally += points;
                spool.commit(inFlightRecord);
            } else {
                spool.release(inFlightRecord);
            }
            inFlightRecord = null;
        }
        inFlightBatch = null;
    }

    private void consumeInFlight(boolean confirmed, int points) throws IOException {
        if (inFlightRecord != null) {
            if (confirmed) {
                pointsDrained += points;
            }
            spool.commit(inFlightRecord);
            inFlightRecord = null;
        } else {
            Batch b = memory.pollFirst();
            memoryBytes -= b.body.length;
            inFlightBatch = null;
        }
        syncSpoolCounters();
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

    /** Retry-After as seconds or an HTTP date, capped; -1 when unparseable. */
    long retryAfterNanos(String value) {
        long cap = config.maxRetryAfter().toNanos();
        String v = value.trim();
        try {
            long secs = Long.parseLong(v);
            return Math.min(Math.max(0, secs) * 1_000_000_000L, cap);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                long nanos = Duration.between(clock.instant(), at).toNanos();
                return Math.min(Math.max(0, nanos), cap);
            } catch (RuntimeException notDate) {
                return -1;
            }
        }
    }

    private static String snippet(String body) {
        if (body == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(body.length(), 512));
        for (int i = 0; i < body.length() && b.length() < 512; i++) {
            char c = body.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }

    private void reject(int status, String message, int flags, int points, byte[] body) {
        pointsRejected += points;
        batchesRejected++;
        Path dir = config.dataDir().resolve("rejected");
        String name = "rejected-" + clock.millis() + "-" + (++rejectedFiles) + ".lp";
        try {
            Files.createDirectories(dir);
            byte[] lines = (flags & Spool.FLAG_GZIP) != 0 ? Gzip.decompress(body) : body;
            byte[] header = ("# rejected by the server: HTTP " + status + ": " + snippet(message) + "\n"
                    + "# target: " + ((flags & Spool.FLAG_HEALTH) != 0 ? "health" : "data") + ", points: " + points + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Path p = dir.resolve(name);
            Files.write(p, header, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.write(p, lines, StandardOpenOption.APPEND);
            LOG.log(System.Logger.Level.WARNING, "server refused a batch of {0} points (HTTP {1}: {2}); set aside in {3}",
                    points, status, snippet(message), p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "server refused a batch of {0} points (HTTP {1}: {2}) and it could not be set aside: {3}",
                    points, status, snippet(message), e.getMessage());
        }
    }
}
