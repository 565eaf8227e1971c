package dev.netscan.discovery;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** An in-memory {@link MetricsSink} for tests: keeps everything it is offered, in arrival order. */
class RecordingSink implements MetricsSink {
    final ConcurrentLinkedQueue<PingResult> pings = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<PingStats> stats = new ConcurrentLinkedQueue<>();

    @Override
    public boolean offerPing(PingResult result) {
        pings.add(result);
        return true;
    }

    @Override
    public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        return true;
    }

    @Override
    public boolean offerPingStats(PingStats s) {
        stats.add(s);
        return true;
    }

    @Override
    public boolean offerHealth(HealthReport report) {
        return true;
    }

    List<PingResult> pingsOf(int ipv4) {
        return pings.stream().filter(p -> p.ipv4() == ipv4).sorted((a, b) -> Long.compare(a.sentAtEpochNanos(), b.sentAtEpochNanos())).toList();
    }
}
