package dev.netscan.core.governor;

/**
 * The knobs the governor turns, as one immutable value. The governor publishes a new instance
 * through a volatile field after each sample that changes it; busy loops read it with
 * {@link Governor#throttle()} (one volatile read, no lock, no allocation) as often as they like.
 *
 * @param rateLimitPps probes per second the ICMP engine may send (sweep and monitoring together), >= 1
 * @param probesInFlight probes awaiting a reply or timeout at most, >= 1
 * @param snmpInFlight SNMP requests outstanding at most, >= 1
 * @param writerBatchSize points per write batch, within the profile's batch bounds
 * @param pacingNanos pause between send batches, nanoseconds, >= 0
 * @param discoveryPaused whether discovery sweeps must stop starting new probes (monitoring and
 *     writing continue); true while any condition is {@link AlertTier#CRITICAL}
 */
public record Throttle(
        int rateLimitPps,
        int probesInFlight,
        int snmpInFlight,
        int writerBatchSize,
        long pacingNanos,
        boolean discoveryPaused) {

    /** @throws IllegalArgumentException if a knob is out of range */
    public Throttle {
        if (rateLimitPps < 1) throw new IllegalArgumentException("rateLimitPps must be >= 1, was " + rateLimitPps);
        if (probesInFlight < 1) throw new IllegalArgumentException("probesInFlight must be >= 1, was " + probesInFlight);
        if (snmpInFlight < 1) throw new IllegalArgumentException("snmpInFlight must be >= 1, was " + snmpInFlight);
        if (writerBatchSize < 1) throw new IllegalArgumentException("writerBatchSize must be >= 1, was " + writerBatchSize);
        if (pacingNanos < 0) throw new IllegalArgumentException("pacingNanos must be >= 0, was " + pacingNanos);
    }
}
