package dev.netscan.discovery;

/**
 * A snapshot of an {@link IcmpEngine}'s counters, all cumulative since start except
 * {@code inFlight}. Each value is read individually (the snapshot is not atomic across fields).
 *
 * @param socketKind kind of the IPv4 socket
 * @param ipv6SocketKind kind of the ICMPv6 socket, or null when IPv6 is not available
 * @param receiveBufferBytes receive buffer the kernel granted the IPv4 socket (getsockopt value)
 * @param probes probes started (taken from a lane and given a slot)
 * @param sent echo requests handed to the kernel (first attempts and retries)
 * @param retries echo requests that were retries
 * @param replies probes completed with an echo reply
 * @param timeouts probes completed with a timeout (after their retries)
 * @param unreachable probes completed with an ICMP error (unreachable, time exceeded)
 * @param sendErrors probes completed with ERROR because the kernel refused to send them
 * @param cancelled probes completed with ERROR because their listener was cancelled before sending
 * @param inFlight probes holding a slot now (sent, awaiting a reply or their retry)
 * @param maxInFlightObserved highest {@code inFlight} seen
 * @param ignoredMalformed packets received that were truncated or had impossible headers
 * @param ignoredEchoRequests echo requests seen (raw sockets see the host's own, loopback too)
 * @param ignoredOtherType ICMP types the engine does not use
 * @param ignoredForeign well-formed packets that answer no probe of this engine (another
 *     process's pings, wrong identifier, token that does not verify, reply from another address)
 * @param ignoredLate replies for probes already completed (after their timeout, or duplicates)
 * @param listenerErrors exceptions thrown by listeners (caught)
 */
public record IcmpCounters(
        SocketKind socketKind,
        SocketKind ipv6SocketKind,
        int receiveBufferBytes,
        long probes,
        long sent,
        long retries,
        long replies,
        long timeouts,
        long unreachable,
        long sendErrors,
        long cancelled,
        long inFlight,
        long maxInFlightObserved,
        long ignoredMalformed,
        long ignoredEchoRequests,
        long ignoredOtherType,
        long ignoredForeign,
        long ignoredLate,
        long listenerErrors) {

    /** Every packet received and not attributed to a probe. */
    public long ignoredTotal() {
        return ignoredMalformed + ignoredEchoRequests + ignoredOtherType + ignoredForeign + ignoredLate;
    }
}
