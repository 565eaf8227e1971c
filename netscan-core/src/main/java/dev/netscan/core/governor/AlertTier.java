package dev.netscan.core.governor;

/**
 * Alert tiers, in increasing severity. {@link #INFO} is also the governor's level when no
 * condition is active, and the tier of "condition cleared" alerts.
 */
public enum AlertTier {
    /** Informational: nothing needs doing (a condition cleared, or all is well). */
    INFO,
    /** A threshold is crossed and the governor throttles (memory warning, thermal throttle, error backoff). */
    WARNING,
    /** A critical threshold is crossed: knobs at their lowest tier and discovery sweeps paused. */
    CRITICAL,
    /**
     * The host will fail soon: memory is CRITICAL and still rising sample after sample, or the
     * disk is full with the writer's spool at its cap. Throttles like CRITICAL; an operator must act.
     */
    EMERGENCY;

    /** @return the more severe of {@code this} and {@code other} */
    public AlertTier max(AlertTier other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
