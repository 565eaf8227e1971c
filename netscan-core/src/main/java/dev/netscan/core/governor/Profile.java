package dev.netscan.core.governor;

import java.time.Duration;
import java.util.Locale;

/**
 * Operating profiles: the base (healthy, unthrottled) value of every knob. The governor never goes
 * above these; under pressure it scales them down (see {@link Governor}).
 *
 * <p>Figures for a Raspberry Pi 5 watching 20,000 devices: monitoring them once a minute needs
 * about 333 probes/s, so {@link #STANDARD}'s 1,000 pps leaves headroom for a sweep (a /16 at
 * 1,000 pps takes about 66 s when the in-flight bound allows it). Note that the in-flight bound
 * caps the rate against dead addresses at {@code probesInFlight / timeout} (128 pps with a 1 s
 * timeout in {@code STANDARD}; 800 pps in {@link #HIGH_PERFORMANCE}).
 */
public enum Profile {

    /**
     * Cautious defaults: 1,000 pps, 128 probes in flight, 32 SNMP requests in flight, 5 ms pacing,
     * writer batches of 1,000 points (fixed; only shrunk to 500 under memory pressure).
     */
    STANDARD("standard", 1_000, 128, 32, Duration.ofMillis(5), 500, 1_000, 1_000),

    /**
     * The high-performance mode of {@code reference/000}: 800 probes in flight, 1 ms pacing, 20,000
     * pps, 512 SNMP requests in flight, dynamic writer batches of 500 to 5,000 points (starting at
     * 1,000; larger when healthy and the writer is backlogged, smaller under memory pressure).
     */
    HIGH_PERFORMANCE("high-performance", 20_000, 800, 512, Duration.ofMillis(1), 500, 1_000, 5_000);

    private final String configName;
    private final int rateLimitPps;
    private final int probesInFlight;
    private final int snmpInFlight;
    private final long pacingNanos;
    private final int batchMin;
    private final int batchBase;
    private final int batchMax;

    Profile(String configName, int rateLimitPps, int probesInFlight, int snmpInFlight, Duration pacing,
            int batchMin, int batchBase, int batchMax) {
        this.configName = configName;
        this.rateLimitPps = rateLimitPps;
        this.probesInFlight = probesInFlight;
        this.snmpInFlight = snmpInFlight;
        this.pacingNanos = pacing.toNanos();
        this.batchMin = batchMin;
        this.batchBase = batchBase;
        this.batchMax = batchMax;
    }

    /** @return the name used in configuration files: {@code standard} or {@code high-performance} */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static Profile fromConfigName(String name) {
        if (name != null) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            for (Profile p : values()) {
                if (p.configName.equals(n)) return p;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + name + "': expected 'standard' or 'high-performance'");
    }

    /** @return the healthy throttle of this profile: every knob at its base value, discovery running */
    public Throttle baseline() {
        return new Throttle(rateLimitPps, probesInFlight, snmpInFlight, batchBase, pacingNanos, false);
    }

    /** @return the smallest writer batch, points */
    public int batchMin() {
        return batchMin;
    }

    /** @return the writer batch when healthy and not backlogged, points */
    public int batchBase() {
        return batchBase;
    }

    /** @return the largest writer batch (healthy and backlogged), points */
    public int batchMax() {
        return batchMax;
    }

    /** @return whether the writer batch grows beyond {@link #batchBase()} when backlogged */
    public boolean dynamicBatches() {
        return batchMax > batchBase;
    }
}
