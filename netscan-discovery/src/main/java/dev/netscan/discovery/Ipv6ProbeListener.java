package dev.netscan.discovery;

import dev.netscan.core.PingResult;
import java.net.Inet6Address;

/**
 * Receives the single result of an ICMPv6 probe. Same threading contract as {@link ProbeListener}:
 * fast, non-blocking, called from engine threads.
 */
@FunctionalInterface
public interface Ipv6ProbeListener {

    /**
     * @param address the address probed
     * @param sentAtEpochNanos wall-clock time of the first attempt, nanoseconds since the epoch
     * @param outcome what happened
     * @param rttNanos round-trip time from a monotonic clock for {@code REPLY}, otherwise -1
     * @param attempts echo requests sent (0 when never sent)
     */
    void onResult(Inet6Address address, long sentAtEpochNanos, PingResult.Outcome outcome, long rttNanos, int attempts);
}
