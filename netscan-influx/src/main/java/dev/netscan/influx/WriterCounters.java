package dev.netscan.influx;

/**
 * A snapshot of an {@link InfluxWriter}'s counters. Everything "confirmed" is what the server
 * answered 2xx for, never what was merely submitted. Counts are totals since the writer started
 * (this process), except the gauges {@code queueDepth}, {@code spoolBytes},
 * {@code spoolPendingPoints}.
 *
 * @param pointsOffered points accepted by {@code offer*}
 * @param pointsConfirmed points in batches the server answered 2xx for
 * @param batchesConfirmed batches the server answered 2xx for
 * @param retries write attempts that failed and will be retried (network error, 5xx, 408, 429,
 *     401/403/404 which need an operator)
 * @param failures all failed write attempts (retries plus rejected)
 * @param pointsRejected points in batches refused for bad data (400, 413, 422, other 4xx) and set
 *     aside to the rejected directory
 * @param batchesRejected batches set aside
 * @param pointsSpooled points written to the spool
 * @param batchesSpooled batches written to the spool
 * @param pointsDrained points confirmed by the server after coming out of the spool
 * @param pointsDropped points lost: the queue was full, the writer was closed, or the spool cap
 *     forced its oldest segments out
 * @param spoolCapReached times the spool cap forced segments out
 * @param spoolCorruptRecords spool records that failed their checksum or were torn (skipped)
 * @param queueDepth points waiting in the queue now
 * @param spoolBytes bytes of spool files on disk now
 * @param spoolPendingPoints points in the spool not yet confirmed
 * @param databaseReachable false from a retryable write failure until the next confirmed write
 */
public record WriterCounters(
        long pointsOffered,
        long pointsConfirmed,
        long batchesConfirmed,
        long retries,
        long failures,
        long pointsRejected,
        long batchesRejected,
        long pointsSpooled,
        long batchesSpooled,
        long pointsDrained,
        long pointsDropped,
        long spoolCapReached,
        long spoolCorruptRecords,
        long queueDepth,
        long spoolBytes,
        long spoolPendingPoints,
        boolean databaseReachable) {

    /**
     * These counters as {@code health_metrics} fields ({@code writer_points_confirmed},
     * {@code writer_queue_depth}, ...), ready to merge into a {@link dev.netscan.core.HealthReport},
     * plus the Go service's names {@code influxdb_ok}, {@code influxdb_successful_batches} and
     * {@code influxdb_failed_batches} (batches that will never be delivered: rejected).
     */
    public java.util.Map<String, Object> asHealthFields() {
        java.util.Map<String, Object> m = new java.util.TreeMap<>();
        m.put("writer_points_offered", pointsOffered);
        m.put("writer_points_confirmed", pointsConfirmed);
        m.put("writer_batches_confirmed", batchesConfirmed);
        m.put("writer_retries", retries);
        m.put("writer_failures", failures);
        m.put("writer_points_rejected", pointsRejected);
        m.put("writer_batches_rejected", batchesRejected);
        m.put("writer_points_spooled", pointsSpooled);
        m.put("writer_points_drained", pointsDrained);
        m.put("writer_points_dropped", pointsDropped);
        m.put("writer_spool_cap_reached", spoolCapReached);
        m.put("writer_queue_depth", queueDepth);
        m.put("writer_spool_bytes", spoolBytes);
        m.put("writer_spool_pending_points", spoolPendingPoints);
        m.put("influxdb_ok", databaseReachable);
        m.put("influxdb_successful_batches", batchesConfirmed);
        m.put("influxdb_failed_batches", batchesRejected);
        return m;
    }
}
