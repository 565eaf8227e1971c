package dev.netscan.discovery;

import java.net.Inet6Address;

/**
 * Told about each address that answers during a {@link Sweep}, as soon as it answers.
 *
 * <p>Called on the ICMP engine's receiver thread: must be fast and non-blocking (hand the address
 * to a queue, add it to a registry with a cheap operation). Each address is reported at most once
 * per sweep. Exceptions are caught and counted by the engine.
 *
 * <p>IPv6 targets are reported through {@link #onAliveIpv6} and filtered through
 * {@link #acceptsIpv6}; by default a listener ignores IPv6 answers (and the sweep still counts
 * them as alive).
 */
@FunctionalInterface
public interface SweepListener {

    /**
     * @param ipv4 the address that answered (see {@link dev.netscan.core.Ipv4})
     * @param rttNanos round-trip time of the answered attempt, nanoseconds
     */
    void onAlive(int ipv4, long rttNanos);

    /**
     * The same event with the time of the answer, from the engine's own timestamps (so a registry
     * can record it without reading the clock again). Defaults to {@link #onAlive(int, long)}.
     *
     * @param answeredAtEpochMillis wall-clock time the answering probe was sent plus its RTT
     */
    default void onAlive(int ipv4, long rttNanos, long answeredAtEpochMillis) {
        onAlive(ipv4, rttNanos);
    }

    /**
     * Whether the sweep should probe {@code ipv4} at all (default: every address). Called on the
     * sweep's feeder thread before each submission; must be cheap and thread-safe. A skipped
     * address counts in the sweep's total but is neither submitted nor completed. A fleet member
     * uses it to sweep only the addresses of its partitions.
     */
    default boolean accepts(int ipv4) {
        return true;
    }

    /**
     * An IPv6 target answered (same contract as {@link #onAlive(int, long, long)}). Default: ignored.
     *
     * @param address the address that answered, without a scope
     */
    default void onAliveIpv6(Inet6Address address, long rttNanos, long answeredAtEpochMillis) {
    }

    /** Whether the sweep should probe the IPv6 target {@code address} at all (default: every address). */
    default boolean acceptsIpv6(Inet6Address address) {
        return true;
    }
}
