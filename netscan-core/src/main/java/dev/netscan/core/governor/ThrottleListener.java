package dev.netscan.core.governor;

import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Told when the governor publishes a new {@link Throttle}, so components that take settings
 * through setters can be pushed the new values. The static factories build the usual one-knob
 * listeners, e.g. {@code governor.addThrottleListener(ThrottleListener.rateLimitPps(engine::setRateLimitPps))}.
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

    /** @return a listener passing {@link Throttle#rateLimitPps()} to {@code setter} when it changes */
    static ThrottleListener rateLimitPps(IntConsumer setter) {
        Objects.requireNonNull(setter, "setter");
        return (old, now) -> {
            if (old.rateLimitPps() != now.rateLimitPps()) setter.accept(now.rateLimitPps());
        };
    }

    /** @return a listener passing {@link Throttle#probesInFlight()} to {@code setter} when it changes */
    static ThrottleListener probesInFlight(IntConsumer setter) {
        Objects.requireNonNull(setter, "setter");
        return (old, now) -> {
            if (old.probesInFlight() != now.probesInFlight()) setter.accept(now.probesInFlight());
        };
    }

    /** @return a listener passing {@link Throttle#snmpInFlight()} to {@code setter} when it changes */
    static ThrottleListener snmpInFlight(IntConsumer setter) {
        Objects.requireNonNull(setter, "setter");
        return (old, now) -> {
            if (old.snmpInFlight() != now.snmpInFlight()) setter.accept(now.snmpInFlight());
        };
    }

    /** @return a listener passing {@link Throttle#writerBatchSize()} to {@code setter} when it changes */
    static ThrottleListener writerBatchSize(IntConsumer setter) {
        Objects.requireNonNull(setter, "setter");
        return (old, now) -> {
            if (old.writerBatchSize() != now.writerBatchSize()) setter.accept(now.writerBatchSize());
        };
    }

    /** @return a listener passing {@link Throttle#pacingNanos()} to {@code setter} when it changes */
    static ThrottleListener pacingNanos(LongConsumer setter) {
        Objects.requireNonNull(setter, "setter");
        return (old, now) -> {
            if (old.pacingNanos() != now.pacingNanos()) setter.accept(now.pacingNanos());
        };
    }
}
