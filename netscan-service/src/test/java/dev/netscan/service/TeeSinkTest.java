package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.SnmpInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TeeSink}: both sinks get every point; the answer and the counters are the first's. */
class TeeSinkTest {

    /** Counts what it is offered; accepts or refuses everything. */
    static final class Counting implements MetricsSink {
        final boolean accept;
        int offered;
        int flushes;
        boolean closed;

        Counting(boolean accept) {
            this.accept = accept;
        }

        @Override public boolean offerPing(PingResult r) { offered++; return accept; }
        @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { offered++; return accept; }
        @Override public boolean offerPingStats(PingStats s) { offered++; return accept; }
        @Override public boolean offerHealth(HealthReport h) { offered++; return accept; }
        @Override public SinkCounters counters() {
            return new SinkCounters(offered, 0, 0, 0, 0, offered, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, true, 0, false, 0, 0);
        }
        @Override public void flush() { flushes++; }
        @Override public void close() { closed = true; }
    }

    @Test
    void offersEveryPointToBothAndAnswersForTheFirst() {
        Counting first = new Counting(false);
        Counting second = new Counting(true);
        TeeSink tee = new TeeSink(first, true, second);
        assertThat(tee.offerPing(PingResult.reply(1, 1_000, 250_000))).isFalse();
        assertThat(tee.offerHealth(new HealthReport(1_000, Map.of("x", 1L)))).isFalse();
        assertThat(tee.offerDeviceInfo(1, new SnmpInfo("n", null, null, -1, null, null), 1_000)).isFalse();
        assertThat(first.offered).isEqualTo(3);
        assertThat(second.offered).isEqualTo(3);
        assertThat(tee.counters().pointsOffered()).isEqualTo(3);
        tee.flush();
        assertThat(first.flushes).isEqualTo(1);
        assertThat(second.flushes).isEqualTo(1);
    }

    @Test
    void closesTheFirstOnlyWhenItOwnsItAndNeverTheSecond() {
        Counting owned = new Counting(true);
        Counting second = new Counting(true);
        new TeeSink(owned, true, second).close();
        assertThat(owned.closed).isTrue();
        assertThat(second.closed).isFalse();
        assertThat(second.flushes).isEqualTo(1);
        Counting embedders = new Counting(true);
        new TeeSink(embedders, false, second).close();
        assertThat(embedders.closed).isFalse();
        assertThat(embedders.flushes).isEqualTo(1);
    }
}
