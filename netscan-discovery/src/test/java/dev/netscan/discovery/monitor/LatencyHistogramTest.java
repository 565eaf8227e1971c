package dev.netscan.discovery.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lateness histogram's percentiles, alone and over two windows together. */
class LatencyHistogramTest {

    @Test
    void percentileOverTwoWindowsCountsBoth() {
        LatencyHistogram older = new LatencyHistogram();
        LatencyHistogram current = new LatencyHistogram();
        for (int i = 0; i < 98; i++) {
            older.record(5);
        }
        current.record(5);
        current.record(10_000);
        assertThat(current.percentile(99)).as("current alone: 5 and 10,000").isGreaterThan(5_000);
        assertThat(current.percentileWith(older, 50)).isEqualTo(5);
        assertThat(current.percentileWith(older, 99)).isEqualTo(5);
        assertThat(current.percentileWith(older, 100)).isEqualTo(10_000);
        older.reset();
        assertThat(current.percentileWith(older, 100)).isEqualTo(10_000);
        assertThat(new LatencyHistogram().percentileWith(new LatencyHistogram(), 99)).isZero();
    }
}
