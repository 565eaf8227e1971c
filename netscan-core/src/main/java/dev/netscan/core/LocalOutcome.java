package dev.netscan.core;

/**
 * Why a probe ended on our side rather than the device's: netscan refused it, or the local kernel
 * dropped it. A local outcome is never a device's loss: it is not written as a {@code ping} point,
 * it does not count in {@code ping_stats} loss (which reports it beside the loss instead), and it
 * never touches a device's failure streak. It is counted by cause in {@code /health} and
 * {@code /metrics} (fields {@code ping_local_<label>_total}).
 *
 * <p>Device outcomes are {@link PingResult.Outcome}; every probe ends in exactly one of the two.
 */
public enum LocalOutcome {
    /** The send rate budget had no token for it in time (the probe was never sent). */
    RATE_LIMITED,
    /** The bound on probes in flight was reached, or the engine's queue for the lane was full. */
    IN_FLIGHT_FULL,
    /** The health governor shed it to relieve the host. */
    GOVERNOR_SHED,
    /** The kernel's receive queue overflowed (SO_RXQ_OVFL), so a reply may have been dropped unread. */
    RECEIVE_QUEUE_OVERFLOW,
    /** The kernel's send buffer was full (ENOBUFS / EAGAIN): the request never left. */
    SEND_BUFFER_FULL,
    /** Accepted but never sent: netscan was stopping (the engine closed with the probe still queued). */
    CANCELLED;

    private static final LocalOutcome[] VALUES = values();

    /** Lower-case name used in health fields and metric labels. */
    public String label() {
        return switch (this) {
            case RATE_LIMITED -> "rate_limited";
            case IN_FLIGHT_FULL -> "in_flight_full";
            case GOVERNOR_SHED -> "governor_shed";
            case RECEIVE_QUEUE_OVERFLOW -> "rxq_overflow";
            case SEND_BUFFER_FULL -> "send_buffer_full";
            case CANCELLED -> "cancelled";
        };
    }

    /** The outcome with {@code ordinal()} {@code i} (no array copy). */
    public static LocalOutcome of(int i) {
        return VALUES[i];
    }

    /** Number of causes. */
    public static int count() {
        return VALUES.length;
    }
}
