package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.PingResult;
import org.junit.jupiter.api.Test;

class DeviceHistoryTest {
    private static final long T0 = 1_700_000_000_000L / 60_000 * 60_000; // a minute boundary, epoch millis

    private static PingResult reply(int ip, long atMillis, long rttMicros) {
        return PingResult.reply(ip, atMillis * 1_000_000, rttMicros * 1_000);
    }

    private static PingResult lost(int ip, long atMillis) {
        return PingResult.failed(ip, atMillis * 1_000_000, PingResult.Outcome.TIMEOUT);
    }

    @Test
    void keepsOneMinuteBucketsOfTheLastHourAndForgetsOlderOnes() {
        DeviceHistory h = new DeviceHistory(false);
        h.record(reply(1, T0, 1_000));
        h.record(lost(1, T0 + 1_000));
        h.record(reply(1, T0 + 61_000, 3_000));
        DeviceHistory.Minute[] m = h.lastHour(1, T0 + 61_000);
        assertThat(m).hasSize(2);
        assertThat(m[0].probes()).isEqualTo(2);
        assertThat(m[0].lost()).isEqualTo(1);
        assertThat(m[0].meanRttSeconds()).isEqualTo(0.001);
        assertThat(m[1].startEpochMillis()).isEqualTo(T0 + 60_000);
        assertThat(m[1].meanRttSeconds()).isEqualTo(0.003);

        // an hour later the first minute fell out of the ring, the second is the oldest kept
        h.record(reply(1, T0 + 60 * 60_000L, 2_000));
        m = h.lastHour(1, T0 + 60 * 60_000L);
        assertThat(m).extracting(DeviceHistory.Minute::startEpochMillis).containsExactly(T0 + 60_000, T0 + 60 * 60_000L);
    }

    @Test
    void localSendErrorsAreNotTheDevicesLoss() {
        DeviceHistory h = new DeviceHistory(true);
        h.record(PingResult.failed(7, T0 * 1_000_000, PingResult.Outcome.ERROR));
        assertThat(h.size()).isZero();
        h.record(reply(7, T0, 500));
        h.record(PingResult.failed(7, (T0 + 10) * 1_000_000, PingResult.Outcome.ERROR));
        DeviceHistory.Devices d = h.devices(T0);
        assertThat(d.requests()).containsExactly(1);
        assertThat(d.lost()).containsExactly(0);
        assertThat(h.last(7, T0, 1).lossLastMinutes()).isZero();
    }

    @Test
    void histogramsCountRepliesInTheirBucketsPerDeviceAndInTotal() {
        DeviceHistory h = new DeviceHistory(true);
        h.record(reply(1, T0, 50));        // 0.05 ms <= 0.1 ms: bucket 0
        h.record(reply(1, T0, 3_000));     // 3 ms: bucket of 5 ms (index 5)
        h.record(reply(2, T0, 5_000_000)); // 5 s: +Inf
        h.record(lost(2, T0));
        DeviceHistory.Histogram all = h.total();
        assertThat(all.count()).isEqualTo(3);
        assertThat(all.counts()[0]).isEqualTo(1);
        assertThat(all.counts()[5]).isEqualTo(1);
        assertThat(all.counts()[all.counts().length - 1]).isEqualTo(1);
        assertThat(all.sumSeconds()).isCloseTo(5.00305, org.assertj.core.data.Offset.offset(1e-9));
        DeviceHistory.Devices d = h.devices(T0);
        int nb = DeviceHistory.Devices.bucketsPerDevice();
        int two = d.ipv4()[0] == 2 ? 0 : 1;
        assertThat(d.buckets()[two * nb + nb - 1]).isEqualTo(1);
        assertThat(d.lost()[two]).isEqualTo(1);
        assertThat(d.lastRttNanos()[two]).isEqualTo(-1);
    }

    @Test
    void aForgottenDevicesSlotIsReusedClean() {
        DeviceHistory h = new DeviceHistory(true);
        h.record(reply(1, T0, 100));
        h.forget(1);
        assertThat(h.last(1, T0, 1)).isNull();
        h.record(lost(2, T0));
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.devices(T0).requests()).containsExactly(1);
        assertThat(h.devices(T0).buckets()).containsOnly(0L);
        assertThat(h.lastHour(2, T0)[0].probes()).isEqualTo(1);
    }
}
