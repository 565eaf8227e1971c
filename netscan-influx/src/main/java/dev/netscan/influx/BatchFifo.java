package dev.netscan.influx;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The FIFO of sealed batches behind {@link InfluxWriter}: the on-disk {@link Spool} (oldest)
 * followed by batches in memory, and the disk-full policy.
 *
 * <p>Invariant: every batch is either in memory or in the spool, never both; the oldest batch is
 * the spool head while the spool holds anything, else the memory head. {@link #spill(Batch)}
 * moves memory batches to the spool, oldest first, and keeps that order.
 *
 * <p>Disk-full policy (the directory is full, unwritable, or cannot hold a spool at all): delete
 * the oldest spool segment and try again, counted as dropped (disk full), while a segment older
 * than the one being written exists; otherwise keep batches in memory, bounded by
 * {@code 4 * max(memoryBatchBytes, 1 MiB)}, dropping the oldest beyond it (disk full, never the
 * one in flight). The spool is tried again every second; the state clears when a spill succeeds
 * and there is room for two segments again.
 *
 * <p>Not thread-safe: owned by the writer's flush thread. Counts go into the writer's
 * {@link QueuedSink.Tally}.
 */
final class BatchFifo {

    private static final System.Logger LOG = System.getLogger(InfluxWriter.class.getName());
    private static final long SPOOL_RETRY_NANOS = 1_000_000_000L;

    /** A sealed batch: {@link Spool} flags (target, precision, gzip), its point count, the request body. */
    record Batch(int flags, int points, byte[] body) {}

    private final WriterConfig config;
    private final LongSupplier nanoTime;
    private final QueuedSink.Tally tally;
    private final ArrayDeque<Batch> memory = new ArrayDeque<>();
    private long memoryBytes;
    private long memoryPoints;
    /** Null while the data directory cannot hold a spool. */
    private Spool spool;
    /** An append failed for want of room (or the directory is unusable). */
    private boolean diskFull;
    /** Nothing could be freed: spooling waits until nextTryNanos. */
    private boolean blocked;
    private long nextTryNanos;
    private boolean capLogged;
    // the spool's own counters already moved into the tally
    private long capPointsSeen;
    private long corruptPointsSeen;
    private long capEventsSeen;
    private long corruptRecordsSeen;

    BatchFifo(WriterConfig config, LongSupplier nanoTime, QueuedSink.Tally tally) {
        this.config = config;
        this.nanoTime = nanoTime;
        this.tally = tally;
    }

    /** Opens the spool if it is not open (its points count as recovered); false when the directory cannot hold it. */
    boolean openSpool() {
        if (spool != null) {
            return true;
        }
        Spool s = new Spool(config.dataDir().resolve("spool"), config.spoolSegmentBytes(), config.spoolMaxBytes(),
                config.spoolFsync());
        try {
            Files.createDirectories(config.dataDir());
            s.open();
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing was opened that matters
            }
            trouble(e);
            return false;
        }
        spool = s;
        tally.recovered += s.pendingPoints();
        capPointsSeen = 0;
        corruptPointsSeen = 0;
        capEventsSeen = 0;
        corruptRecordsSeen = 0;
        return true;
    }

    private void trouble(Exception e) {
        nextTryNanos = nanoTime.getAsLong() + SPOOL_RETRY_NANOS;
        if (!diskFull) {
            diskFull = true;
            LOG.log(System.Logger.Level.ERROR, "the spool in " + config.dataDir() + " cannot be written (" + e
                    + "); dropping the oldest spooled points first, holding new batches in memory up to a bound, retrying every second");
        }
    }

    boolean memoryEmpty() {
        return memory.isEmpty();
    }

    long memoryBytes() {
        return memoryBytes;
    }

    /** The oldest batch in memory, or null. */
    Batch memoryHead() {
        return memory.peekFirst();
    }

    /** True while the spool holds an unconsumed record. */
    boolean spoolHolds() {
        return spool != null && !spool.isEmpty();
    }

    long spoolPendingPoints() {
        return spool == null ? 0 : spool.pendingPoints();
    }

    /** The spool head, leased until {@link #consumed} or {@link #unconfirmed}; null when the spool is empty. */
    Spool.Record peekSpool() throws IOException {
        return spoolHolds() ? spool.peek() : null;
    }

    /** Appends a sealed batch at the memory tail. */
    void add(Batch b) {
        memory.addLast(b);
        memoryBytes += b.body.length;
        memoryPoints += b.points;
    }

    /** The memory head was delivered or set aside: removes it. */
    void consumeMemoryHead() {
        Batch b = memory.pollFirst();
        memoryBytes -= b.body.length;
        memoryPoints -= b.points;
    }

    /** A leased spool record was confirmed or set aside: the spool moves past it. */
    void consumed(Spool.Record r) throws IOException {
        spool.commit(r);
    }

    /**
     * A leased spool record was not confirmed: it stays the head, unless its segment was deleted
     * while it was in flight, then it is gone now and counted by the reason it was deleted.
     */
    void unconfirmed(Spool.Record r) throws IOException {
        if (r.droppedBy == 0) {
            spool.release(r);
            return;
        }
        if (r.droppedBy == Spool.DROPPED_BY_CAP) {
            tally.droppedSpoolCap += r.points;
        } else {
            tally.droppedDiskFull += r.points;
        }
        spool.commit(r);
    }

    /** Every second while the disk is full: try to spill again, which also clears the state. */
    Spool.Record retryDisk(long now, Batch inFlight) {
        if (!diskFull || now - nextTryNanos < 0) {
            return null;
        }
        Spool.Record r = spill(inFlight);
        if (diskFull && now - nextTryNanos >= 0) {
            nextTryNanos = now + SPOOL_RETRY_NANOS; // still full but nothing failed: look again in a second
        }
        return r;
    }

    /** Makes the next spill try the disk at once (the close sequence's last chance). */
    void tryDiskNow() {
        nextTryNanos = nanoTime.getAsLong();
        blocked = false;
    }

    /**
     * Moves every memory batch to the spool, oldest first, applying the disk-full policy when the
     * spool cannot take one. Returns the spool record of {@code inFlight} (leased as the spool
     * head) when that batch moved, else null.
     */
    Spool.Record spill(Batch inFlight) {
        if (blocked && nanoTime.getAsLong() - nextTryNanos < 0) {
            bound(inFlight);
            return null;
        }
        if (!openSpool()) {
            blocked = true;
            bound(inFlight);
            return null;
        }
        Spool.Record leased = null;
        while (!memory.isEmpty()) {
            Batch b = memory.peekFirst();
            Spool.Record r;
            try {
                r = append(b);
            } catch (IOException e) {
                trouble(e);
                if (makeRoom()) {
                    continue;
                }
                blocked = true;
                bound(inFlight);
                return leased;
            }
            blocked = false;
            consumeMemoryHead();
            if (b == inFlight) {
                try {
                    spool.leaseAppended(r);
                    leased = r;
                } catch (IOException | IllegalStateException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not lease the spooled in-flight batch: " + e);
                }
            }
        }
        if (diskFull && roomAgain()) {
            diskFull = false;
            LOG.log(System.Logger.Level.INFO, "the spool in {0} is writable again", config.dataDir());
        }
        return leased;
    }

    private Spool.Record append(Batch b) throws IOException {
        long capBefore = spool.capReachedEvents;
        Spool.Record r = spool.append(b.flags, b.points, b.body, 0, b.body.length);
        tally.spooled += b.points;
        if (spool.capReachedEvents != capBefore && !capLogged) {
            capLogged = true;
            LOG.log(System.Logger.Level.WARNING, "spool cap of {0} bytes reached in {1}: dropping the oldest points",
                    config.spoolMaxBytes(), config.dataDir());
        }
        return r;
    }

    /** After a clean spill while disk full: is there room for two segments again? */
    /**
     * True when the disk has room again after being full: two segments free, or, on a device too
     * small for that (a 1 MiB tmpfs, a tiny SD card partition), a quarter of it.
     */
    private boolean roomAgain() {
        try {
            java.nio.file.FileStore store = Files.getFileStore(config.dataDir());
            return store.getUsableSpace() >= Math.min(2 * config.spoolSegmentBytes(), store.getTotalSpace() / 4);
        } catch (IOException e) {
            return false;
        }
    }

    /** Policy step 1: deletes the oldest spool segment; false when none can go. */
    private boolean makeRoom() {
        try {
            long lost = spool.dropOldestSegment();
            if (lost < 0) {
                return false;
            }
            tally.droppedDiskFull += lost;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Policy step 2: drops the oldest memory batches beyond the hard bound (never {@code inFlight}). */
    private void bound(Batch inFlight) {
        long limit = 4 * Math.max(config.memoryBatchBytes(), 1L << 20);
        while (memoryBytes > limit && memory.size() > 1) {
            Batch head = memory.pollFirst();
            Batch victim = head;
            if (head == inFlight) {
                victim = memory.pollFirst();
                memory.addFirst(head);
            }
            memoryBytes -= victim.body.length;
            memoryPoints -= victim.points;
            tally.droppedDiskFull += victim.points;
        }
    }

    /** Moves the spool's own counts into {@code t} and fills the FIFO's gauges. */
    void gauges(QueuedSink.Tally t) {
        if (spool != null) {
            t.droppedSpoolCap += spool.droppedCapPoints - capPointsSeen;
            capPointsSeen = spool.droppedCapPoints;
            t.droppedCorrupt += spool.droppedCorruptPoints - corruptPointsSeen;
            corruptPointsSeen = spool.droppedCorruptPoints;
            t.spoolCapReached += spool.capReachedEvents - capEventsSeen;
            capEventsSeen = spool.capReachedEvents;
            t.spoolCorruptRecords += spool.corruptRecords - corruptRecordsSeen;
            corruptRecordsSeen = spool.corruptRecords;
        }
        t.spoolPending = spoolPendingPoints();
        t.spoolBytes = spool == null ? 0 : spool.bytes();
        t.diskFull = diskFull;
    }

    /** Points in memory batches now. */
    long memoryPoints() {
        return memoryPoints;
    }

    /** Empties memory (returns the points it held) and closes the spool. */
    long close() {
        long left = memoryPoints;
        memory.clear();
        memoryBytes = 0;
        memoryPoints = 0;
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing spool", e);
            }
        }
        return left;
    }
}
