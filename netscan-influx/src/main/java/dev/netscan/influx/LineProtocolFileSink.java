package dev.netscan.influx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * A {@link dev.netscan.core.MetricsSink} that appends line protocol to files in a directory, the
 * embedded default when no database is configured. Files are named
 * {@code <prefix>-<yyyy-MM-dd>-<n>.lp}; a new file starts when the day changes (in the given
 * zone, by the injected clock) or when the current one would pass {@code maxFileBytes} (a file may
 * exceed it only by a single chunk of lines). Restarting continues with a new file number.
 *
 * <p>Offers never block (bounded queue, one writer thread); everything else as in the writer's
 * {@code MetricsSink} contract. Thread-safe.
 */
public final class LineProtocolFileSink extends AsyncLineSink {

    private final Path dir;
    private final String prefix;
    private final long maxFileBytes;
    private final ZoneId zone;
    private final InstantSource clock;
    // sink thread only
    private OutputStream out;
    private LocalDate day;
    private long fileBytes;
    private int fileIndex;
    private Path current;

    /**
     * @param dir directory for the files (created if missing)
     * @param prefix file name prefix, e.g. {@code netscan}
     * @param maxFileBytes size at which a file is rotated (>= 4096)
     * @param zone zone whose midnight rotates files
     * @param clock wall clock deciding the day
     * @param precision timestamp precision of the lines
     * @param queueCapacity bound of the offer queue (offers beyond it are refused and counted)
     */
    public LineProtocolFileSink(Path dir, String prefix, long maxFileBytes, ZoneId zone, InstantSource clock,
            Precision precision, int queueCapacity) {
        super(precision, queueCapacity, "netscan-lp-file");
        if (dir == null || prefix == null || prefix.isBlank() || prefix.contains("/") || zone == null || clock == null) {
            throw new IllegalArgumentException("dir, a plain non-blank prefix, zone and clock are required");
        }
        if (maxFileBytes < 4096) {
            throw new IllegalArgumentException("maxFileBytes must be >= 4096, was " + maxFileBytes);
        }
        this.dir = dir;
        this.prefix = prefix;
        this.maxFileBytes = maxFileBytes;
        this.zone = zone;
        this.clock = clock;
    }

    /** Files of 64 MiB, rotated at UTC midnight, nanosecond precision, queue of 65,536. */
    public LineProtocolFileSink(Path dir) {
        this(dir, "netscan", 64L << 20, ZoneId.of("UTC"), InstantSource.system(), Precision.NANOSECONDS, 65_536);
    }

    /**
     * Creates the directory and starts the writer thread. Idempotent.
     *
     * @throws IOException if the directory cannot be created
     */
    public LineProtocolFileSink start() throws IOException {
        Files.createDirectories(dir);
        startThread();
        return this;
    }

    /** The file being written now, or null before the first line (sink thread's view). */
    public synchronized Path currentFile() {
        return current;
    }

    @Override
    void write(byte[] buf, int len, long lines) throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        if (out == null || !today.equals(day) || (fileBytes > 0 && fileBytes + len > maxFileBytes)) {
            rotate(today);
        }
        out.write(buf, 0, len);
        fileBytes += len;
    }

    private void rotate(LocalDate today) throws IOException {
        closeOutput();
        if (!today.equals(day)) {
            day = today;
            fileIndex = 0;
        }
        Path p;
        do {
            p = dir.resolve(prefix + "-" + day + "-" + (fileIndex++) + ".lp");
        } while (Files.exists(p));
        out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        fileBytes = 0;
        synchronized (this) {
            current = p;
        }
    }

    @Override
    void flushOutput() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    @Override
    void closeOutput() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }
}
