package dev.netscan.service;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.SnmpInfo;

/**
 * The service's sink when a second one is configured ({@link NetscanService.Builder#alsoSink}):
 * every point is offered to both; the answer, the counters and the batch size are the primary's
 * (the second sink accounts for its own points: {@link #secondCounters}, the {@code results_*}
 * health fields). Closes the primary if the service owns it and
 * flushes the second (its owner closes it). Allocates nothing; never blocks.
 */
final class TeeSink implements MetricsSink {
    private final MetricsSink primary;
    private final boolean closePrimary;
    private final MetricsSink second;

    TeeSink(MetricsSink primary, boolean closePrimary, MetricsSink second) {
        this.primary = primary;
        this.closePrimary = closePrimary;
        this.second = second;
    }

    @Override
    public boolean offerPing(PingResult result) {
        second.offerPing(result);
        return primary.offerPing(result);
    }

    @Override
    public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        second.offerDeviceInfo(ipv4, info, timestampEpochNanos);
        return primary.offerDeviceInfo(ipv4, info, timestampEpochNanos);
    }

    @Override
    public boolean offerPingStats(PingStats stats) {
        second.offerPingStats(stats);
        return primary.offerPingStats(stats);
    }

    @Override
    public boolean offerHealth(HealthReport report) {
        second.offerHealth(report);
        return primary.offerHealth(report);
    }

    @Override
    public boolean offerDeviceEvent(DeviceEvent event) {
        second.offerDeviceEvent(event);
        return primary.offerDeviceEvent(event);
    }

    @Override
    public SinkCounters counters() {
        return primary.counters();
    }

    /** The second sink's own accounting (a fleet's results topic), {@link SinkCounters#NONE} if it keeps none. */
    SinkCounters secondCounters() {
        return second.counters();
    }

    @Override
    public void setBatchSize(int points) {
        primary.setBatchSize(points);
    }

    @Override
    public void flush() {
        primary.flush();
        second.flush();
    }

    @Override
    public void close() {
        if (closePrimary) {
            primary.close();
        } else {
            primary.flush();
        }
        second.flush();
    }
}
