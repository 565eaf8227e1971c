package dev.netscan.core;

import java.time.Duration;

/**
 * Operating profiles: the base values of the knobs the governor turns (see
 * {@code shared/reference/000_*.txt}). A profile only sets defaults; any value set explicitly in a
 * {@link NetscanConfig} wins.
 *
 * <ul>
 *   <li>{@link #STANDARD}: gentle on the network and the host: 1,000 probes/s, 128 in flight, 32
 *       SNMP requests in flight, 5 ms pacing, writer batches of 5,000 (500 under memory pressure).
 *   <li>{@link #HIGH_PERFORMANCE}: 20,000 probes/s, 800 probes in flight, 512 SNMP requests in
 *       flight, 1 ms pacing between send bursts, writer batches that start at 1,000 and move
 *       between 500 and 5,000 with the host's health and the backlog; for a dedicated board such
 *       as a Raspberry Pi 5 watching 20,000 devices.
 * </ul>
 */
public enum Profile {
    STANDARD("standard", 128, 1_000, 32, Duration.ofMillis(5), 500, 5_000, 5_000),
    HIGH_PERFORMANCE("high-performance", 800, 20_000, 512, Duration.ofMillis(1), 500, 1_000, 5_000);

    private final String key;
    private final int icmpMaxInFlight;
    private final long pingRateLimitPps;
    private final int snmpMaxInFlight;
    private final Duration pacing;
    private final int batchSizeMin;
    private final int batchSizeBase;
    private final int batchSizeMax;

    Profile(String key, int icmpMaxInFlight, long pingRateLimitPps, int snmpMaxInFlight, Duration pacing,
            int batchSizeMin, int batchSizeBase, int batchSizeMax) {
        this.key = key;
        this.icmpMaxInFlight = icmpMaxInFlight;
        this.pingRateLimitPps = pingRateLimitPps;
        this.snmpMaxInFlight = snmpMaxInFlight;
        this.pacing = pacing;
        this.batchSizeMin = batchSizeMin;
        this.batchSizeBase = batchSizeBase;
        this.batchSizeMax = batchSizeMax;
    }

    /** The name used in configuration files and on the command line. */
    public String key() {
        return key;
    }

    /** Sweep probes in flight at once. */
    public int icmpMaxInFlight() {
        return icmpMaxInFlight;
    }

    /** Probe rate ceiling in packets per second. */
    public long pingRateLimitPps() {
        return pingRateLimitPps;
    }

    /** SNMP requests in flight at once. */
    public int snmpMaxInFlight() {
        return snmpMaxInFlight;
    }

    /** Pause between send bursts. */
    public Duration pacing() {
        return pacing;
    }

    /** Smallest writer batch the governor may choose. */
    public int batchSizeMin() {
        return batchSizeMin;
    }

    /** Writer batch when healthy and not backlogged (the default {@code influxdb.batch_size}). */
    public int batchSizeBase() {
        return batchSizeBase;
    }

    /** Largest writer batch the governor may choose. */
    public int batchSizeMax() {
        return batchSizeMax;
    }

    /** True when the governor moves the writer batch size with the host's health. */
    public boolean dynamicBatches() {
        return batchSizeMax > batchSizeBase;
    }

    /**
     * The profile named {@code key} ({@code standard}, {@code high-performance}; also accepts
     * {@code high_performance} and {@code highperformance}), or {@code null} if none matches.
     */
    public static Profile byKey(String key) {
        if (key == null) {
            return null;
        }
        String k = key.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        for (Profile p : values()) {
            if (p.key.equals(k) || p.key.replace("-", "").equals(k)) {
                return p;
            }
        }
        return null;
    }
}
