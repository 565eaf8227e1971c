package dev.netscan.core.governor;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert: a condition raised, escalated, de-escalated or cleared.
 *
 * @param time when the sample that caused it was taken (governor clock)
 * @param tier {@link AlertTier#WARNING} or {@link AlertTier#CRITICAL} when a condition is raised or
 *     moves to that tier; {@link AlertTier#INFO} when it clears, and for the one-time notice that
 *     the host has no temperature sensor
 * @param cause what crossed the threshold: {@code "memory"}, {@code "cpu_temperature"} or
 *     {@code "error_rate:<source>"}
 * @param value the measured value that caused it (percent or degrees Celsius, see {@code message});
 *     NaN for the no-sensor notice
 * @param message human-readable explanation with the value, the threshold and the unit
 */
public record Alert(Instant time, AlertTier tier, String cause, double value, String message) {

    /** Cause of memory alerts. */
    public static final String CAUSE_MEMORY = "memory";
    /** Cause of temperature alerts. */
    public static final String CAUSE_TEMPERATURE = "cpu_temperature";
    /** Prefix of error-rate alert causes; the source name follows. */
    public static final String CAUSE_ERROR_RATE_PREFIX = "error_rate:";

    /** @throws NullPointerException if a reference component is null */
    public Alert {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(message, "message");
    }
}
