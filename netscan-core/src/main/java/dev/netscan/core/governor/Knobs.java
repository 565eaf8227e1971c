package dev.netscan.core.governor;

import dev.netscan.core.NetscanConfig;
import dev.netscan.core.Profile;

/**
 * The base (healthy, unthrottled) value of every knob the governor turns. The governor never goes
 * above these; under pressure it scales them down (see {@link Governor}). They come from the
 * configuration ({@link #of(NetscanConfig)}: the profile's defaults unless set explicitly) or
 * straight from a {@link Profile}.
 *
 * <p>Note that the in-flight bound caps the probe rate against dead addresses at
 * {@code probesInFlight / timeout}.
 *
 * @param rateLimitPps probes per second
 * @param probesInFlight ICMP probes in flight
 * @param snmpInFlight SNMP requests in flight
 * @param pacingNanos pause between send bursts
 * @param batchMin smallest writer batch (memory pressure), points
 * @param batchBase writer batch when healthy and not backlogged, points
 * @param batchMax largest writer batch (healthy and backlogged), points
 */
public record Knobs(int rateLimitPps, int probesInFlight, int snmpInFlight, long pacingNanos, int batchMin,
        int batchBase, int batchMax) {

    public Knobs {
        if (rateLimitPps < 1 || probesInFlight < 1 || snmpInFlight < 1 || pacingNanos < 0) {
            throw new IllegalArgumentException("knobs must be positive: " + rateLimitPps + " pps, " + probesInFlight
                    + " in flight, " + snmpInFlight + " SNMP in flight, pacing " + pacingNanos + " ns");
        }
        if (!(1 <= batchMin && batchMin <= batchBase && batchBase <= batchMax)) {
            throw new IllegalArgumentException("writer batches must satisfy 1 <= min <= base <= max, were "
                    + batchMin + ", " + batchBase + ", " + batchMax);
        }
    }

    /** The defaults of {@code profile}. */
    public static Knobs of(Profile profile) {
        return new Knobs((int) profile.pingRateLimitPps(), profile.icmpMaxInFlight(), profile.snmpMaxInFlight(),
                profile.pacing().toNanos(), profile.batchSizeMin(), profile.batchSizeBase(), profile.batchSizeMax());
    }

    /** The configured values (explicit settings win over the profile's defaults). */
    public static Knobs of(NetscanConfig c) {
        return new Knobs((int) Math.min(Integer.MAX_VALUE, c.pingRateLimitPps()), c.icmpMaxInFlight(),
                c.snmp().maxInFlight(), c.pacing().toNanos(), c.batchSizeMin(), c.batchSize(), c.batchSizeMax());
    }

    /** The healthy throttle: every knob at its base value, discovery running. */
    public Throttle baseline() {
        return new Throttle(rateLimitPps, probesInFlight, snmpInFlight, batchBase, pacingNanos, false);
    }

    /** Whether the writer batch grows beyond {@link #batchBase()} when backlogged. */
    public boolean dynamicBatches() {
        return batchMax > batchBase;
    }
}
