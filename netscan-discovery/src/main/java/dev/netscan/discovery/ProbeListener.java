package dev.netscan.discovery;

import dev.netscan.core.LocalOutcome;
import dev.netscan.core.PingResult;

/**
 * Receives the single result of an IPv4 probe submitted to an {@link IcmpEngine}.
 *
 * <p>Threading: called on the engine's receiver thread (replies, unreachables) or its sender
 * thread (timeouts, send errors, cancellations), or on the thread calling
 * {@link IcmpEngine#close()} for probes still pending then. Implementations must be fast and
 * non-blocking (no I/O, no locks held for long, no waiting): every millisecond spent here delays
 * every other probe's send or receive. Exceptions thrown are caught, counted
 * ({@link IcmpCounters#listenerErrors()}) and otherwise ignored. The same listener may be used by
 * many probes and called concurrently from the sender and receiver threads.
 */
@FunctionalInterface
public interface ProbeListener {

    /**
     * The probe's one and only result.
     *
     * @param result what happened; {@code sentAtEpochNanos} is the first attempt's send time
     * @param attempts echo requests sent for this probe (1 + retries used; 0 when never sent)
     */
    void onResult(PingResult result, int attempts);

    /**
     * The probe's one and only result when it ended on our side rather than the device's (the
     * kernel's send buffer was full, or its receive queue overflowed while the probe waited):
     * called instead of {@link #onResult}. The default reports it as {@link PingResult.Outcome#ERROR}
     * with {@code attempts} 0, for listeners that do not tell the two apart.
     *
     * @param ipv4 the address probed
     * @param sentAtEpochNanos when the probe was (or would have been) sent
     * @param cause why it ended here
     */
    default void onLocal(int ipv4, long sentAtEpochNanos, LocalOutcome cause) {
        onResult(PingResult.failed(ipv4, sentAtEpochNanos, PingResult.Outcome.ERROR), 0);
    }

    /**
     * Polled by the sender before each (re)send of this listener's probes. When it returns true, a
     * probe not yet sent completes with {@link PingResult.Outcome#ERROR} without being sent, and a
     * probe whose attempt timed out completes with {@link PingResult.Outcome#TIMEOUT} without
     * retrying. Must be cheap (a volatile read). Default: never cancelled.
     */
    default boolean isCancelled() {
        return false;
    }
}
