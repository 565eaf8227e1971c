package dev.netscan.core;

/**
 * One device's ping statistics over a rolling window (written as the {@code ping_stats}
 * measurement). RTT figures are NaN when no reply arrived in the window.
 *
 * @param ipv4 the device's key (an IPv4 address or an IPv6 {@link AddressBook} key)
 * @param windowEndEpochNanos end of the window, wall clock
 * @param windowNanos window length
 * @param sent probes sent in the window
 * @param received replies received
 * @param lossPercent 100 * (sent - received) / sent, or 0 when nothing was sent; probes that ended
 *     in a {@link LocalOutcome} are not in {@code sent} and never count as loss
 * @param rttMinMillis smallest RTT
 * @param rttAvgMillis mean RTT
 * @param rttMaxMillis largest RTT
 * @param rttStddevMillis population standard deviation of RTT
 * @param jitterMillis mean absolute difference of consecutive RTTs (NaN with fewer than two)
 * @param rttP95Millis 95th percentile RTT
 * @param localOutcomes probes of the window that ended in a {@link LocalOutcome} (refused or
 *     dropped on our side), reported beside the loss
 */
public record PingStats(
        int ipv4,
        long windowEndEpochNanos,
        long windowNanos,
        int sent,
        int received,
        double lossPercent,
        double rttMinMillis,
        double rttAvgMillis,
        double rttMaxMillis,
        double rttStddevMillis,
        double jitterMillis,
        double rttP95Millis,
        int localOutcomes) {

    /** The device's address as text ({@link AddressBook#text(int)}). */
    public String address() {
        return AddressBook.shared().text(ipv4);
    }

    /** Statistics of a window without local outcomes. */
    public PingStats(int ipv4, long windowEndEpochNanos, long windowNanos, int sent, int received, double lossPercent,
            double rttMinMillis, double rttAvgMillis, double rttMaxMillis, double rttStddevMillis, double jitterMillis,
            double rttP95Millis) {
        this(ipv4, windowEndEpochNanos, windowNanos, sent, received, lossPercent, rttMinMillis, rttAvgMillis,
                rttMaxMillis, rttStddevMillis, jitterMillis, rttP95Millis, 0);
    }
}
