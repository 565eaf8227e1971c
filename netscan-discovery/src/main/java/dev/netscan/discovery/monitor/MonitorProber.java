package dev.netscan.discovery.monitor;

import dev.netscan.core.LocalOutcome;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.Lane;
import dev.netscan.discovery.ProbeListener;

/**
 * How the scheduler hands a probe to the ICMP engine: queue one monitoring probe without
 * blocking. The engine later calls {@code listener} exactly once with the probe's result.
 */
@FunctionalInterface
public interface MonitorProber {
    /**
     * Returns false, without calling the listener, when the probe cannot be accepted now. An
     * accepted probe may wait for {@link #flush()} before it is sent.
     */
    boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener);

    /**
     * Sends what {@link #trySubmit} accepted since the last flush; the scheduler calls it after
     * each tick's probes. The default does nothing (for probers that send at once).
     */
    default void flush() {}

    /**
     * Why the last {@link #trySubmit} that returned false refused (called on the same thread right
     * after it). The default says the queue was full.
     */
    default LocalOutcome refusalCause() {
        return LocalOutcome.IN_FLIGHT_FULL;
    }

    /**
     * Probes through {@code engine}'s {@link Lane#MONITOR} lane, without retries; the engine's
     * sender is woken once per {@link #flush()} rather than once per probe.
     */
    static MonitorProber of(IcmpEngine engine) {
        return new MonitorProber() {
            @Override
            public boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener) {
                return engine.trySubmitDeferred(ipv4, timeoutNanos, 0, Lane.MONITOR, listener);
            }

            @Override
            public void flush() {
                engine.flushSubmissions();
            }

            @Override
            public LocalOutcome refusalCause() {
                // The monitor lane is exempt from the rate limit (the sweep's budget): a full
                // queue means the in-flight bound held the sender back.
                return LocalOutcome.IN_FLIGHT_FULL;
            }
        };
    }
}
