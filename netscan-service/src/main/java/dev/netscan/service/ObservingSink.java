package dev.netscan.service;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;

/**
 * The sink the ping scheduler writes to: every ping result is recorded in the
 * {@link DeviceHistory} (for the status page, the API and {@code /metrics}) and passed on to the
 * real sink unchanged. Allocates nothing; never blocks beyond the history's short lock.
 */
final class ObservingSink implements MetricsSink {
    private final MetricsSink delegate;
    private final DeviceHistory history;

    ObservingSink(MetricsSink delegate, DeviceHistory history) {
        this.delegate = delegate;
        this.history = history;
    }

    @Override
    public boolean offerPing(PingResult result) {
        history.record(result);
        return delegate.offerPing(result);
    }

    @Override
    public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        return delegate.offerDeviceInfo(ipv4, info, timestampEpochNanos);
    }

    @Override
    public boolean offerPingStats(PingStats stats) {
        return delegate.offerPingStats(stats);
    }

    @Override
    public boolean offerHealth(HealthReport report) {
        return delegate.offerHealth(report);
    }

    @Override
    public boolean offerDeviceEvent(dev.netscan.core.DeviceEvent event) {
        return delegate.offerDeviceEvent(event);
    }

    @Override
    public dev.netscan.core.SinkCounters counters() {
        return delegate.counters();
    }

    @Override
    public void setBatchSize(int points) {
        delegate.setBatchSize(points);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    /** Does not close the delegate: the service closes the sink it owns itself. */
    @Override
    public void close() {}
}
