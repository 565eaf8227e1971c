package dev.netscan.influx;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A {@link dev.netscan.core.MetricsSink} that writes line protocol to a stream, e.g. standard
 * output (pipe it into {@code influx write}, Telegraf or a file). Offers never block (bounded
 * queue, one writer thread). Thread-safe.
 */
public final class LineProtocolStreamSink extends AsyncLineSink {

    private final OutputStream out;
    private final boolean closeStream;

    /**
     * @param out destination; written only by the sink's thread
     * @param closeStream whether {@link #close()} closes {@code out}
     * @param precision timestamp precision
     * @param queueCapacity bound of the offer queue
     */
    public LineProtocolStreamSink(OutputStream out, boolean closeStream, Precision precision, int queueCapacity) {
        super(precision, queueCapacity, "netscan-lp-stream");
        if (out == null) {
            throw new IllegalArgumentException("out is required");
        }
        this.out = out;
        this.closeStream = closeStream;
    }

    /** A started sink writing to standard output (nanosecond precision; stdout is not closed). */
    public static LineProtocolStreamSink stdout() {
        return new LineProtocolStreamSink(new FileOutputStream(FileDescriptor.out), false, Precision.NANOSECONDS, 65_536)
                .start();
    }

    /** Starts the writer thread. Idempotent. */
    public LineProtocolStreamSink start() {
        startThread();
        return this;
    }

    @Override
    void write(byte[] buf, int len, long lines) throws IOException {
        out.write(buf, 0, len);
    }

    @Override
    void flushOutput() throws IOException {
        out.flush();
    }

    @Override
    void closeOutput() throws IOException {
        out.flush();
        if (closeStream) {
            out.close();
        }
    }
}
