package dev.netscan.core.governor;

import java.time.Instant;

/**
 * One watched value (memory, temperature, one source's error rate) and its alert state, with
 * hysteresis: raised or escalated as soon as a sample reaches a threshold; lowered only when a
 * sample is below that threshold minus the margin. Confined to the governor's step lock.
 */
final class Condition {

    private final String cause;
    private final String what;
    private final String unit;
    private final double warning;
    private final double critical; // NaN: this condition has no CRITICAL tier
    private final double margin;
    private AlertTier state = AlertTier.INFO; // INFO means clear

    Condition(String cause, String what, String unit, double warning, double critical, double margin) {
        this.cause = cause;
        this.what = what;
        this.unit = unit;
        this.warning = warning;
        this.critical = critical;
        this.margin = margin;
    }

    AlertTier state() {
        return state;
    }

    /**
     * Feeds one sample. NaN (unavailable, or too few events) leaves the state as it is: losing a
     * sensor does not clear a raised alert.
     *
     * @return the alert this sample causes, or {@code null}
     */
    Alert update(double value, Instant now) {
        if (Double.isNaN(value)) return null;
        AlertTier raw = value >= critical ? AlertTier.CRITICAL : value >= warning ? AlertTier.WARNING : AlertTier.INFO;
        if (raw.ordinal() > state.ordinal()) {
            state = raw;
            double threshold = threshold(raw);
            return new Alert(now, raw, cause, value, what + " " + fmt(value) + unit + " reached the "
                    + raw.name().toLowerCase(java.util.Locale.ROOT) + " threshold " + fmt(threshold) + unit);
        }
        if (raw.ordinal() < state.ordinal()) {
            AlertTier lowered = AlertTier.INFO;
            for (AlertTier t = state; t != AlertTier.INFO; t = AlertTier.values()[t.ordinal() - 1]) {
                if (value >= threshold(t) - margin) {
                    lowered = t;
                    break;
                }
            }
            if (lowered != state) {
                double left = threshold(state);
                state = lowered;
                String msg = what + " " + fmt(value) + unit + " fell below " + fmt(left) + unit + " minus margin "
                        + fmt(margin) + unit + (lowered == AlertTier.INFO ? ": cleared" : ": now " + lowered.name());
                return new Alert(now, lowered, cause, value, msg);
            }
        }
        return null;
    }

    private double threshold(AlertTier t) {
        return t == AlertTier.CRITICAL ? critical : warning;
    }

    private static String fmt(double v) {
        return Double.toString(Math.round(v * 100) / 100.0);
    }
}
