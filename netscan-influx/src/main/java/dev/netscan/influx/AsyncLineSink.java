package dev.netscan.influx;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * Shared machinery of the local sinks (files, stdout): offers go into a bounded MPSC queue and
 * return at once; one thread encodes them with a {@link LineProtocolEncoder} and hands whole
 * lines to {@link #write(byte[], int, long)} in chunks. Subclasses only do the I/O.
 */
abstract class AsyncLineSink implements MetricsSink {

    private record DeviceInfoItem(int ipv4, SnmpInfo info, long timestampEpochNanos) {}

    private static final System.Logger LOG = System.getLogger(AsyncLineSink.class.getName());
    private static final int CHUNK_BYTES = 256 * 1024;

    private final MpscAtomicArrayQueue<Object> queue;
    private final LineProtocolEncoder enc;
    private final String threadName;
    private final LongAdder refused = new LongAdder();
    private final FlushRequests flushes = new FlushRequests();
    private volatile long linesWritten;
    private volatile long writeErrors;
    private volatile boolean closing;
    private volatile boolean stopped;
    private Thread thread;

    AsyncLineSink(Precision precision, int queueCapacity, String threadName) {
        if (queueCapacity < 16) {
            throw new IllegalArgumentException("queueCapacity must be >= 16, was " + queueCapacity);
        }
        this.queue = new MpscAtomicArrayQueue<>(queueCapacity);
        this.enc = new LineProtocolEncoder(precision, 64 * 1024);
        this.threadName = threadName;
    }

    /** Writes {@code len} bytes of whole lines ({@code lines} of them). Called on the sink thread. */
    abstract void write(byte[] buf, int len, long lines) throws IOException;

    /** Pushes written bytes to their destination. Called on the sink thread. */
    abstract void flushOutput() throws IOException;

    /** Releases the destination. Called once on the sink thread at the end. */
    abstract void closeOutput() throws IOException;

    /** Starts the sink thread. Idempotent. */
    synchronized void startThread() {
        if (thread == null) {
            if (closing) {
                throw new IllegalStateException("sink was closed");
            }
            thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
            thread.start();
        }
    }

    private boolean enqueue(Object o) {
        if (closing || !queue.offer(o)) {
            refused.increment();
            return false;
        }
        return true;
    }

    @Override
    public boolean offerPing(PingResult result) {
        return enqueue(result);
    }

    @Override
    public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        return enqueue(new DeviceInfoItem(ipv4, info, timestampEpochNanos));
    }

    @Override
    public boolean offerPingStats(PingStats stats) {
        return enqueue(stats);
    }

    @Override
    public boolean offerHealth(HealthReport report) {
        return enqueue(report);
    }

    @Override
    public boolean offerDeviceEvent(DeviceEvent event) {
        return enqueue(event);
    }

    /** Lines written to the destination so far. */
    public long linesWritten() {
        return linesWritten;
    }

    /** Offers refused (queue full or closed). */
    public long dropped() {
        return refused.sum();
    }

    /** I/O errors met while writing (the lines of a failed write are lost and counted here once). */
    public long writeErrors() {
        return writeErrors;
    }

    /** Writes everything offered before this call and flushes the destination; waits at most 10 s. */
    @Override
    public void flush() {
        Thread t = thread;
        if (t == null || stopped) {
            return;
        }
        flushes.requestAndAwait(t, () -> stopped, 10_000_000_000L, 500_000L);
    }

    /** Writes what was offered, flushes and closes the destination. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = thread;
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

    private void run() {
        try {
            while (true) {
                boolean last = closing;
                long req = flushes.latest();
                int n = drain();
                if (n == 0) {
                    if (req > flushes.served()) {
                        output(true);
                        flushes.markServed(req);
                    }
                    if (last) {
                        break;
                    }
                    LockSupport.parkNanos(2_000_000L);
                }
            }
        } finally {
            try {
                output(true);
                closeOutput();
            } catch (IOException e) {
                writeErrors++;
                LOG.log(System.Logger.Level.WARNING, threadName + ": closing output failed: " + e.getMessage());
            }
            stopped = true;
        }
    }

    private int drain() {
        int n = 0;
        Object o;
        while (n < 4_096 && (o = queue.poll()) != null) {
            n++;
            try {
                switch (o) {
                    case PingResult r -> Measurements.ping(enc, r);
                    case DeviceEvent d -> Measurements.deviceEvent(enc, d);
                    case PingStats s -> Measurements.pingStats(enc, s);
                    case HealthReport h -> Measurements.health(enc, h);
                    case DeviceInfoItem d -> Measurements.deviceInfo(enc, d.ipv4(), d.info(), d.timestampEpochNanos());
                    default -> throw new IllegalArgumentException("unexpected value " + o.getClass());
                }
            } catch (IllegalArgumentException | IllegalStateException bad) {
                refused.increment();
            }
            if (enc.size() >= CHUNK_BYTES) {
                output(false);
            }
        }
        if (n > 0) {
            output(false);
        }
        return n;
    }

    private void output(boolean flushToo) {
        try {
            if (enc.size() > 0) {
                long lines = enc.lines();
                write(enc.array(), enc.size(), lines);
                linesWritten += lines;
            }
            if (flushToo) {
                flushOutput();
            }
        } catch (IOException e) {
            writeErrors++;
            LOG.log(System.Logger.Level.WARNING, threadName + ": write failed, " + enc.lines() + " lines lost: " + e.getMessage());
        } finally {
            enc.reset();
        }
    }
}
