package dev.netscan.core.governor;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.Profile;
import java.time.Duration;

/**
 * Configuration of the {@link Governor}: profile, sampling interval, thresholds and how hard the
 * knobs move. Immutable; build with {@link #builder()}. Construction validates every component
 * and reports every problem at once.
 *
 * <p>Hysteresis: a condition is raised (or escalated) as soon as one sample reaches a threshold,
 * and lowered only when a sample falls below that threshold <em>minus the clear margin</em>, so a
 * value wandering around a threshold raises one alert, not a stream of them.
 *
 * @param knobs base knob values (those of {@link Profile#STANDARD} by default)
 * @param sampleInterval time between samples when started (default 30 s)
 * @param memoryWarningPct system memory used, percent, that raises WARNING (default 80)
 * @param memoryCriticalPct system memory used, percent, that raises CRITICAL (default 90)
 * @param memoryClearMarginPct percentage points below a memory threshold needed to lower it (default 5)
 * @param temperatureThrottleCelsius CPU temperature that raises WARNING and throttles (default 75)
 * @param temperatureCriticalCelsius CPU temperature that raises CRITICAL (default 85)
 * @param temperatureClearMarginCelsius degrees below a temperature threshold needed to lower it (default 5)
 * @param errorRateBackoffPct error rate of a source, percent of its events in a window, that raises
 *     WARNING and backs off exponentially (default 5)
 * @param errorRateClearMarginPct percentage points below the backoff threshold needed to clear (default 2.5)
 * @param errorRateMinEvents windows with fewer events than this leave a source's error state
 *     unchanged, so 1 failure out of 2 writes is not a 50% error rate (default 20)
 * @param warningScale knob scale while any condition is WARNING (default 0.5)
 * @param criticalScale knob scale while any condition is CRITICAL (default 0.25)
 * @param minimumScale lowest scale exponential error backoff reaches (default 1/32)
 * @param recoveryFactor per-sample factor by which the scale climbs back once pressure eases (default 1.25)
 * @param alertHistory alerts retained for {@link Governor#alerts()} (default 100)
 */
public record GovernorSettings(
        Knobs knobs,
        Duration sampleInterval,
        double memoryWarningPct,
        double memoryCriticalPct,
        double memoryClearMarginPct,
        double temperatureThrottleCelsius,
        double temperatureCriticalCelsius,
        double temperatureClearMarginCelsius,
        double errorRateBackoffPct,
        double errorRateClearMarginPct,
        long errorRateMinEvents,
        double warningScale,
        double criticalScale,
        double minimumScale,
        double recoveryFactor,
        int alertHistory) {

    /**
     * Validates every component.
     *
     * @throws dev.netscan.core.InvalidConfigException listing every invalid component, keyed by
     *     its builder name ({@code memoryWarningPct}, ...)
     */
    public GovernorSettings {
        ConfigProblems problems = new ConfigProblems();
        problems.required("knobs", knobs);
        problems.between("sampleInterval", sampleInterval, Duration.ofMillis(10), Duration.ofHours(1));
        boolean warning = problems.percent("memoryWarningPct", memoryWarningPct);
        if (problems.percent("memoryCriticalPct", memoryCriticalPct) && warning) {
            problems.check(memoryWarningPct < memoryCriticalPct, "memoryWarningPct",
                    memoryWarningPct + " must be below memoryCriticalPct " + memoryCriticalPct);
        }
        if (warning) {
            margin(problems, "memoryClearMarginPct", memoryClearMarginPct, "memoryWarningPct", memoryWarningPct);
        }
        boolean throttle = problems.check(temperatureThrottleCelsius > 0 && temperatureThrottleCelsius < 150,
                "temperatureThrottleCelsius", "must be between 0 and 150, was " + temperatureThrottleCelsius);
        if (problems.check(temperatureCriticalCelsius > 0 && temperatureCriticalCelsius < 150,
                "temperatureCriticalCelsius", "must be between 0 and 150, was " + temperatureCriticalCelsius) && throttle) {
            problems.check(temperatureThrottleCelsius < temperatureCriticalCelsius, "temperatureThrottleCelsius",
                    temperatureThrottleCelsius + " must be below temperatureCriticalCelsius " + temperatureCriticalCelsius);
        }
        problems.check(temperatureClearMarginCelsius >= 0 && temperatureClearMarginCelsius <= 50,
                "temperatureClearMarginCelsius", "must be in [0, 50], was " + temperatureClearMarginCelsius);
        if (problems.percent("errorRateBackoffPct", errorRateBackoffPct)) {
            margin(problems, "errorRateClearMarginPct", errorRateClearMarginPct, "errorRateBackoffPct", errorRateBackoffPct);
        }
        problems.check(errorRateMinEvents >= 1, "errorRateMinEvents", "must be >= 1, was " + errorRateMinEvents);
        problems.check(minimumScale > 0 && minimumScale <= criticalScale && criticalScale <= warningScale && warningScale <= 1,
                "minimumScale", "scales must satisfy 0 < minimumScale <= criticalScale <= warningScale <= 1, were "
                        + minimumScale + ", " + criticalScale + ", " + warningScale);
        problems.check(recoveryFactor > 1 && recoveryFactor <= 4, "recoveryFactor",
                "must be in (1, 4], was " + recoveryFactor);
        problems.range("alertHistory", alertHistory, 1, 100_000);
        problems.throwIfAny();
    }

    /** A clear margin must be >= 0; a threshold must lie above its margin (reported at the threshold). */
    private static void margin(ConfigProblems problems, String name, double margin, String thresholdName,
            double threshold) {
        if (problems.check(margin >= 0, name, "must be >= 0, was " + margin)) {
            problems.check(margin < threshold, thresholdName, threshold + " must be above " + name + " (" + margin
                    + "), the margin below it at which the condition clears");
        }
    }

    /** @return the defaults: {@link Profile#STANDARD}, 30 s, 80/90 %, 75/85 C, 5 % */
    public static GovernorSettings defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.knobs = knobs;
        b.sampleInterval = sampleInterval;
        b.memoryWarningPct = memoryWarningPct;
        b.memoryCriticalPct = memoryCriticalPct;
        b.memoryClearMarginPct = memoryClearMarginPct;
        b.temperatureThrottleCelsius = temperatureThrottleCelsius;
        b.temperatureCriticalCelsius = temperatureCriticalCelsius;
        b.temperatureClearMarginCelsius = temperatureClearMarginCelsius;
        b.errorRateBackoffPct = errorRateBackoffPct;
        b.errorRateClearMarginPct = errorRateClearMarginPct;
        b.errorRateMinEvents = errorRateMinEvents;
        b.warningScale = warningScale;
        b.criticalScale = criticalScale;
        b.minimumScale = minimumScale;
        b.recoveryFactor = recoveryFactor;
        b.alertHistory = alertHistory;
        return b;
    }

    /** Mutable builder; not thread-safe. Setters do not validate; {@link #build()} does. */
    public static final class Builder {
        private Knobs knobs = Knobs.of(Profile.STANDARD);
        private Duration sampleInterval = Duration.ofSeconds(30);
        private double memoryWarningPct = 80;
        private double memoryCriticalPct = 90;
        private double memoryClearMarginPct = 5;
        private double temperatureThrottleCelsius = 75;
        private double temperatureCriticalCelsius = 85;
        private double temperatureClearMarginCelsius = 5;
        private double errorRateBackoffPct = 5;
        private double errorRateClearMarginPct = 2.5;
        private long errorRateMinEvents = 20;
        private double warningScale = 0.5;
        private double criticalScale = 0.25;
        private double minimumScale = 1.0 / 32;
        private double recoveryFactor = 1.25;
        private int alertHistory = 100;

        private Builder() {}

        /** @param v base knob values */
        public Builder knobs(Knobs v) { knobs = v; return this; }
        /** @param v profile whose default knob values to use */
        public Builder profile(Profile v) { knobs = v == null ? null : Knobs.of(v); return this; }
        /** @param v time between samples */
        public Builder sampleInterval(Duration v) { sampleInterval = v; return this; }
        /** @param v percent of system memory that raises WARNING */
        public Builder memoryWarningPct(double v) { memoryWarningPct = v; return this; }
        /** @param v percent of system memory that raises CRITICAL */
        public Builder memoryCriticalPct(double v) { memoryCriticalPct = v; return this; }
        /** @param v percentage points below a memory threshold to lower it */
        public Builder memoryClearMarginPct(double v) { memoryClearMarginPct = v; return this; }
        /** @param v degrees Celsius that raise WARNING (throttle) */
        public Builder temperatureThrottleCelsius(double v) { temperatureThrottleCelsius = v; return this; }
        /** @param v degrees Celsius that raise CRITICAL */
        public Builder temperatureCriticalCelsius(double v) { temperatureCriticalCelsius = v; return this; }
        /** @param v degrees below a temperature threshold to lower it */
        public Builder temperatureClearMarginCelsius(double v) { temperatureClearMarginCelsius = v; return this; }
        /** @param v error percent of a source that triggers backoff */
        public Builder errorRateBackoffPct(double v) { errorRateBackoffPct = v; return this; }
        /** @param v percentage points below the backoff threshold to clear */
        public Builder errorRateClearMarginPct(double v) { errorRateClearMarginPct = v; return this; }
        /** @param v fewest events in a window for its error rate to count */
        public Builder errorRateMinEvents(long v) { errorRateMinEvents = v; return this; }
        /** @param v knob scale under WARNING */
        public Builder warningScale(double v) { warningScale = v; return this; }
        /** @param v knob scale under CRITICAL */
        public Builder criticalScale(double v) { criticalScale = v; return this; }
        /** @param v floor of the knob scale */
        public Builder minimumScale(double v) { minimumScale = v; return this; }
        /** @param v per-sample recovery factor */
        public Builder recoveryFactor(double v) { recoveryFactor = v; return this; }
        /** @param v alerts retained */
        public Builder alertHistory(int v) { alertHistory = v; return this; }

        /**
         * @return the validated settings
         * @throws dev.netscan.core.InvalidConfigException listing every invalid value
         */
        public GovernorSettings build() {
            return new GovernorSettings(knobs, sampleInterval, memoryWarningPct, memoryCriticalPct,
                    memoryClearMarginPct, temperatureThrottleCelsius, temperatureCriticalCelsius,
                    temperatureClearMarginCelsius, errorRateBackoffPct, errorRateClearMarginPct,
                    errorRateMinEvents, warningScale, criticalScale, minimumScale, recoveryFactor,
                    alertHistory);
        }
    }
}
