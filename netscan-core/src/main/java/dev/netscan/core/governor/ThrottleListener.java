package dev.netscan.core.governor;

/**
 * Told when the governor publishes a new {@link Throttle}, so components that take settings
 * through setters can be pushed the new values, e.g.
 * {@code (old, now) -> engine.setRateLimitPps(now.rateLimitPps())}.
 *
 * <p>Called on the governor's sampling thread only when the throttle changed, after it is visible
 * through {@link Governor#throttle()}. An exception is logged and counted and never stops the
 * governor or other listeners.
 */
@FunctionalInterface
public interface ThrottleListener {

    /**
     * @param previous the throttle in force before, never {@code null}
     * @param current the throttle now in force, never {@code null}, not equal to {@code previous}
     */
    void onThrottleChange(Throttle previous, Throttle current);
}
