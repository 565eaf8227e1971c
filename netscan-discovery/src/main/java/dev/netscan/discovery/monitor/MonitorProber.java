package dev.netscan.discovery.monitor;

import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.Lane;
import dev.netscan.discovery.ProbeListener;

/**
 * How the scheduler hands a probe to the ICMP engine: queue one monitoring probe without
 * blocking. The engine later calls {@code listener} exactly once with the probe's result.
 */
@FunctionalInterface
public interface MonitorProber {
    /** Returns false, without calling the listener, when the probe cannot be accepted now. */
    boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener);

    /** Probes through {@code engine}'s {@link Lane#MONITOR} lane, without retries. */
    static MonitorProber of(IcmpEngine engine) {
        return (ipv4, timeoutNanos, listener) -> engine.trySubmit(ipv4, timeoutNanos, 0, Lane.MONITOR, listener);
    }
}
