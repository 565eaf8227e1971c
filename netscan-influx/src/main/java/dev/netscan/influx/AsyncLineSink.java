package dev.netscan.influx;

import java.io.IOException;

/**
 * The local sinks (files, stdout) on the shared {@link QueuedSink} half: one encoder, whole lines
 * handed to {@link #write(byte[], int, long)} in chunks of up to 256 KiB. Subclasses only do the
 * I/O. A point counts as confirmed once the write that carried it returned; the lines of a write
 * that threw are counted as dropped (write error) and the sink carries on with the next chunk.
 */
abstract class AsyncLineSink extends QueuedSink {

    private static final System.Logger LOG = System.getLogger(AsyncLineSink.class.getName());
    private static final int CHUNK_BYTES = 256 * 1024;
    private static final long CLOSE_TIMEOUT_NANOS = 10_000_000_000L;

    private final LineProtocolEncoder enc;
    private final String name;
    /** Errors met writing; written by the flush thread, read by any. */
    private volatile long writeErrors;

    AsyncLineSink(Precision precision, int queueCapacity, String threadName) {
        super(queueCapacity, threadName, CLOSE_TIMEOUT_NANOS, System::nanoTime);
        this.enc = new LineProtocolEncoder(precision, 64 * 1024);
        this.name = threadName;
    }

    /** Writes {@code len} bytes of whole lines ({@code lines} of them). Called on the sink thread. */
    abstract void write(byte[] buf, int len, long lines) throws IOException;

    /** Pushes written bytes to their destination. Called on the sink thread. */
    abstract void flushOutput() throws IOException;

    /** Releases the destination. Called once on the sink thread at the end. */
    abstract void closeOutput() throws IOException;

    /**
     * Writes the tag {@code key=value} on every line from now on, right after the measurement name
     * (a fleet member's {@code instance}). Call it before the sink starts.
     *
     * @throws IllegalArgumentException for an empty key or value
     */
    public void tagEveryLine(String key, String value) {
        enc.tagEveryLine(key, value);
    }

    /** Lines written to the destination so far. */
    public long linesWritten() {
        return counters().pointsConfirmed();
    }

    /** Points lost so far, whatever the reason (queue full, closed, write errors). */
    public long dropped() {
        return counters().pointsDropped();
    }

    /** I/O errors met while writing (the lines of a failed write are lost and counted once). */
    public long writeErrors() {
        return writeErrors;
    }

    @Override
    final LineProtocolEncoder encoderFor(Object value) {
        return enc;
    }

    @Override
    final void encoded(Object value, LineProtocolEncoder e) {
        if (enc.size() >= CHUNK_BYTES) {
            output(false);
        }
    }

    @Override
    final boolean deliver(long now) {
        if (enc.lines() == 0) {
            return false;
        }
        output(false);
        return true;
    }

    @Override
    final void sealAll() {
        output(true);
    }

    @Override
    final boolean settled() {
        return enc.lines() == 0;
    }

    @Override
    final long idleParkNanos(long now) {
        return 2_000_000L;
    }

    @Override
    final void finish(long deadlineNanos) {
        output(true);
        try {
            closeOutput();
        } catch (IOException e) {
            writeErrors++;
            LOG.log(System.Logger.Level.WARNING, name + ": closing output failed: " + e.getMessage());
        }
    }

    @Override
    final void gauges(Tally t) {
        t.inMemory = enc.lines();
    }

    private void output(boolean flushToo) {
        long lines = enc.lines();
        if (lines > 0) {
            try {
                write(enc.array(), enc.size(), lines);
                tally.confirmed += lines;
            } catch (IOException e) {
                writeErrors++;
                tally.droppedWriteError += lines;
                LOG.log(System.Logger.Level.WARNING, name + ": write failed, " + lines + " lines lost: " + e.getMessage());
            } catch (Throwable t) {
                // Counted here so the lines are accounted for; the loop counts and survives the failure.
                writeErrors++;
                tally.droppedWriteError += lines;
                throw t;
            } finally {
                enc.reset();
            }
        }
        if (flushToo) {
            try {
                flushOutput();
            } catch (IOException e) {
                writeErrors++;
                LOG.log(System.Logger.Level.WARNING, name + ": flushing output failed: " + e.getMessage());
            }
        }
    }
}
