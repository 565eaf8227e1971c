package dev.netscan.core;

/**
 * The outcome of one ICMP echo probe. Every probe sent (or that failed to be sent) yields exactly
 * one result.
 *
 * @param ipv4 the key of the address probed: an IPv4 address (see {@link Ipv4}) or an IPv6
 *     {@link AddressBook} key
 * @param sentAtEpochNanos wall-clock time the probe was sent, nanoseconds since the epoch; this is
 *     the measurement's timestamp
 * @param outcome what happened
 * @param rttNanos round-trip time from a monotonic clock when {@code outcome} is
 *     {@link Outcome#REPLY}, otherwise -1
 */
public record PingResult(int ipv4, long sentAtEpochNanos, Outcome outcome, long rttNanos) {

    /** What happened to a probe. */
    public enum Outcome {
        /** An echo reply came back from the address probed. */
        REPLY,
        /** No reply within the timeout (after any retries). */
        TIMEOUT,
        /** An ICMP destination-unreachable (or similar error) came back for the probe. */
        UNREACHABLE,
        /** The probe could not be sent (local error: no route, buffer full, socket closed...). */
        ERROR;

        /** Lower-case name as written to time series. */
        public String label() {
            return switch (this) {
                case REPLY -> "reply";
                case TIMEOUT -> "timeout";
                case UNREACHABLE -> "unreachable";
                case ERROR -> "error";
            };
        }
    }

    public PingResult {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome is required");
        }
        if (outcome == Outcome.REPLY && rttNanos < 0) {
            throw new IllegalArgumentException("a reply needs rttNanos >= 0, was " + rttNanos);
        }
    }

    public static PingResult reply(int ipv4, long sentAtEpochNanos, long rttNanos) {
        return new PingResult(ipv4, sentAtEpochNanos, Outcome.REPLY, rttNanos);
    }

    public static PingResult failed(int ipv4, long sentAtEpochNanos, Outcome outcome) {
        return new PingResult(ipv4, sentAtEpochNanos, outcome, -1);
    }

    /** The address probed as text ({@link AddressBook#text(int)}). */
    public String address() {
        return AddressBook.shared().text(ipv4);
    }

    /** True for {@link Outcome#REPLY}. */
    public boolean success() {
        return outcome == Outcome.REPLY;
    }

    /** Round-trip time in milliseconds, or NaN when there was no reply. */
    public double rttMillis() {
        return outcome == Outcome.REPLY ? rttNanos / 1_000_000.0 : Double.NaN;
    }
}
