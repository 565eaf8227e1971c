package dev.netscan.service;

import dev.netscan.core.SinkCounters;
import dev.netscan.core.governor.ErrorRate;
import dev.netscan.core.governor.Governor;
import dev.netscan.discovery.IcmpCounters;

/**
 * Turns the engine's and the writer's cumulative counters into the governor's error rates, writer
 * backlog and storage pressure, one health interval at a time. Not thread-safe: the service calls
 * {@link #feed} under its own lock.
 */
final class ErrorFeed {
    private final long spoolMaxBytes;
    private long lastIcmpSent;
    private long lastIcmpErrors;
    private long lastWriterBatches;
    private long lastWriterFailures;
    private long lastWriterDropped;
    /** Points the sink dropped between the last two feeds; read by any thread. */
    private volatile long writerDroppedLastInterval;

    ErrorFeed(long spoolMaxBytes) {
        this.spoolMaxBytes = spoolMaxBytes;
    }

    /** Feeds {@code governor} the change since the last call; {@code hostDiskFull} is the data_dir check. */
    void feed(IcmpCounters c, SinkCounters wc, Governor governor, boolean hostDiskFull) {
        ErrorRate icmp = governor.errorRate("icmp");
        icmp.recordEvents(Math.max(0, c.sent() - lastIcmpSent));
        icmp.recordErrors(Math.max(0, c.sendErrors() - lastIcmpErrors));
        lastIcmpSent = c.sent();
        lastIcmpErrors = c.sendErrors();
        ErrorRate writes = governor.errorRate("writer");
        long attempts = wc.batchesConfirmed() + wc.failures();
        writes.recordEvents(Math.max(0, attempts - lastWriterBatches));
        writes.recordErrors(Math.max(0, wc.failures() - lastWriterFailures));
        lastWriterBatches = attempts;
        lastWriterFailures = wc.failures();
        governor.reportWriterBacklog(wc.queueDepth());
        writerDroppedLastInterval = wc.pointsDropped() - lastWriterDropped;
        lastWriterDropped = wc.pointsDropped();
        // EMERGENCY when the disk is full and the spool cannot take more
        governor.reportStorage(wc.spoolBytes() >= spoolMaxBytes - (1L << 20), wc.diskFull() || hostDiskFull);
    }

    /** Points the sink dropped between the last two feeds. */
    long writerDroppedLastInterval() {
        return writerDroppedLastInterval;
    }
}
