package dev.netscan.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of a {@link MetricsSink}'s accounting: where every offered point is now. Public
 * because it is the port's return type; the service turns it into {@code /health},
 * {@code /metrics} and {@code health_metrics} fields.
 *
 * <p>The invariant, exact in every snapshot an implementation of this project returns:
 * <pre>
 * pointsOffered + pointsRecovered = pointsConfirmed + pointsRejected + spoolPendingPoints
 *                                 + pointsQueued + pointsDropped()
 * </pre>
 * {@link #unaccounted()} is the difference (0 when nothing went astray).
 *
 * @param pointsOffered points handed to {@code offer*} (accepted or not) since start
 * @param pointsRecovered points found in the spool at start, left by an earlier run
 * @param pointsConfirmed points the destination confirmed (database 2xx; a file or stream
 *     write that returned)
 * @param pointsRejected points the database refused as bad data (set aside, never retried)
 * @param spoolPendingPoints points on disk in the spool, waiting to be sent
 * @param pointsQueued points in this process on their way: offer queue, open batches, batches
 *     in memory, the request in flight
 * @param droppedQueueFull offers refused because the queue was full
 * @param droppedClosed offers refused because the sink was closing or closed
 * @param droppedUnencodable values with nothing the line protocol can carry
 * @param droppedSpoolCap points in the oldest spool segments removed to respect the spool cap
 * @param droppedDiskFull points lost because the data directory was full or unwritable (oldest
 *     spool segments first, then the oldest batches held in memory beyond their bound)
 * @param droppedShutdown points neither delivered nor stored when the close deadline passed
 * @param droppedCorrupt spooled points in damaged spool records (skipped)
 * @param droppedWriteError points of a local sink whose write to its file or stream failed
 * @param batchesConfirmed batches the destination confirmed
 * @param batchesRejected batches refused as bad data
 * @param retries write attempts that failed and will be retried
 * @param failures all failed write attempts (retries plus rejections)
 * @param pointsSpooled points written to the spool (total; a point may be written once)
 * @param pointsDrained points confirmed after coming out of the spool
 * @param spoolCapReached times the spool cap removed segments
 * @param spoolCorruptRecords damaged spool records skipped
 * @param queueDepth values in the offer queue now
 * @param spoolBytes bytes of spool files on disk now
 * @param batchSize points per batch now (the governor's knob; 0 where the sink has none)
 * @param databaseReachable false from a failed write until the next confirmed one
 * @param unreachableSinceEpochMillis when the database became unreachable, 0 while reachable
 * @param diskFull true while the spool cannot write (device full, directory unwritable)
 * @param loopFailures exceptions and errors the sink's flush loop caught and survived
 * @param loopRestarts times the flush loop ended anyway and a watchdog started a new one
 */
public record SinkCounters(
        long pointsOffered,
        long pointsRecovered,
        long pointsConfirmed,
        long pointsRejected,
        long spoolPendingPoints,
        long pointsQueued,
        long droppedQueueFull,
        long droppedClosed,
        long droppedUnencodable,
        long droppedSpoolCap,
        long droppedDiskFull,
        long droppedShutdown,
        long droppedCorrupt,
        long droppedWriteError,
        long batchesConfirmed,
        long batchesRejected,
        long retries,
        long failures,
        long pointsSpooled,
        long pointsDrained,
        long spoolCapReached,
        long spoolCorruptRecords,
        long queueDepth,
        long spoolBytes,
        int batchSize,
        boolean databaseReachable,
        long unreachableSinceEpochMillis,
        boolean diskFull,
        long loopFailures,
        long loopRestarts) {

    /** Counters of a sink that accounts for nothing (the port's default). */
    public static final SinkCounters NONE = new SinkCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, true, 0, false, 0, 0);

    /** Every point lost, whatever the reason. */
    public long pointsDropped() {
        return droppedQueueFull + droppedClosed + droppedUnencodable + droppedSpoolCap + droppedDiskFull
                + droppedShutdown + droppedCorrupt + droppedWriteError;
    }

    /** Left side minus right side of the invariant; 0 when every point is accounted for. */
    public long unaccounted() {
        return pointsOffered + pointsRecovered
                - (pointsConfirmed + pointsRejected + spoolPendingPoints + pointsQueued + pointsDropped());
    }

    /**
     * These counters as {@code health_metrics} / {@code /health} fields ({@code writer_points_offered},
     * {@code writer_dropped_disk_full}, ...), plus the Go service's names {@code influxdb_ok},
     * {@code influxdb_successful_batches} and {@code influxdb_failed_batches}. A new sorted map.
     */
    public Map<String, Object> asHealthFields() {
        Map<String, Object> m = new TreeMap<>();
        m.put("writer_points_offered", pointsOffered);
        m.put("writer_points_recovered", pointsRecovered);
        m.put("writer_points_confirmed", pointsConfirmed);
        m.put("writer_points_rejected", pointsRejected);
        m.put("writer_spool_pending_points", spoolPendingPoints);
        m.put("writer_points_queued", pointsQueued);
        m.put("writer_points_dropped", pointsDropped());
        m.put("writer_dropped_queue_full", droppedQueueFull);
        m.put("writer_dropped_closed", droppedClosed);
        m.put("writer_dropped_unencodable", droppedUnencodable);
        m.put("writer_dropped_spool_cap", droppedSpoolCap);
        m.put("writer_dropped_disk_full", droppedDiskFull);
        m.put("writer_dropped_shutdown", droppedShutdown);
        m.put("writer_dropped_corrupt", droppedCorrupt);
        m.put("writer_dropped_write_error", droppedWriteError);
        m.put("writer_points_unaccounted", unaccounted());
        m.put("writer_batches_confirmed", batchesConfirmed);
        m.put("writer_batches_rejected", batchesRejected);
        m.put("writer_retries", retries);
        m.put("writer_failures", failures);
        m.put("writer_points_spooled", pointsSpooled);
        m.put("writer_points_drained", pointsDrained);
        m.put("writer_spool_cap_reached", spoolCapReached);
        m.put("writer_spool_corrupt_records", spoolCorruptRecords);
        m.put("writer_queue_depth", queueDepth);
        m.put("writer_spool_bytes", spoolBytes);
        m.put("writer_batch_size", (long) batchSize);
        m.put("writer_database_unreachable_since_ms", unreachableSinceEpochMillis);
        m.put("writer_disk_full", diskFull);
        m.put("writer_loop_failures", loopFailures);
        m.put("writer_loop_restarts", loopRestarts);
        m.put("influxdb_ok", databaseReachable);
        m.put("influxdb_successful_batches", batchesConfirmed);
        m.put("influxdb_failed_batches", batchesRejected);
        return m;
    }
}
