package dev.netscan.core.governor;

/**
 * Receives every alert the governor raises or clears, so an embedding application can act on it.
 *
 * <p>Called on the governor's sampling thread (or the thread calling {@link Governor#sampleNow()}),
 * after the throttle of that sample is published, in the order the alerts were raised. It should
 * return quickly; an exception it throws is logged and counted
 * ({@link Governor#listenerFailures()}) and never stops the governor or other listeners.
 */
@FunctionalInterface
public interface AlertListener {

    /** @param alert the alert, never {@code null} */
    void onAlert(Alert alert);
}
