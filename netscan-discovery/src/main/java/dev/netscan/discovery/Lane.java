package dev.netscan.discovery;

/**
 * Priority lanes of the {@link IcmpEngine}: whenever the engine may send (rate limit and in-flight
 * bound permitting), it takes retries first, then {@link #MONITOR} probes, and {@link #SWEEP}
 * probes only when the monitor lane is empty. So continuous monitoring keeps its schedule while a
 * large sweep runs; a sweep takes whatever capacity monitoring leaves.
 */
public enum Lane {
    /** Probes of the continuous-monitoring scheduler: always go first. */
    MONITOR,
    /** Probes of discovery sweeps: use what monitoring leaves. */
    SWEEP
}
