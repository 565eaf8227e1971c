package dev.netscan.core.governor;

import java.util.OptionalDouble;

/**
 * One measurement of the host. A value the host cannot give is <em>unavailable</em>: {@code NaN}
 * for the {@code double} components and {@link #UNAVAILABLE} ({@code -1}) for the integral ones,
 * each with an explicit {@code ...Available()} method. A real 0 is never used to mean unavailable.
 *
 * @param memoryUsedPct system memory in use, percent of total, in [0, 100], or NaN
 * @param heapUsedPct JVM heap in use, percent of the maximum heap (committed heap when the maximum
 *     is undefined), in [0, 100], or NaN
 * @param rssBytes resident set size of this process in bytes, or {@link #UNAVAILABLE}
 * @param cpuLoad system-wide CPU load over the interval since the previous sample, in [0, 1], or
 *     NaN when no interval could be measured
 * @param cpuTemperatureCelsius hottest CPU / thermal-zone temperature in degrees Celsius, or NaN
 *     when the host has no sensor (virtual machines)
 * @param threads live JVM platform threads, or {@link #UNAVAILABLE}
 * @param gcTimeMillis accumulated garbage-collection time of this JVM since start, milliseconds,
 *     or {@link #UNAVAILABLE}
 */
public record HostSample(
        double memoryUsedPct,
        double heapUsedPct,
        long rssBytes,
        double cpuLoad,
        double cpuTemperatureCelsius,
        int threads,
        long gcTimeMillis) {

    /** Marks an unavailable integral value. */
    public static final int UNAVAILABLE = -1;

    /** Validates ranges.
     *
     * @throws IllegalArgumentException naming the first component out of range
     */
    public HostSample {
        checkPct("memoryUsedPct", memoryUsedPct);
        checkPct("heapUsedPct", heapUsedPct);
        if (rssBytes < UNAVAILABLE) {
            throw new IllegalArgumentException("rssBytes must be >= 0 or UNAVAILABLE (-1), was " + rssBytes);
        }
        if (!Double.isNaN(cpuLoad) && !(cpuLoad >= 0 && cpuLoad <= 1)) {
            throw new IllegalArgumentException("cpuLoad must be in [0, 1] or NaN, was " + cpuLoad);
        }
        if (Double.isInfinite(cpuTemperatureCelsius)) {
            throw new IllegalArgumentException("cpuTemperatureCelsius must be finite or NaN, was " + cpuTemperatureCelsius);
        }
        if (threads < UNAVAILABLE) {
            throw new IllegalArgumentException("threads must be >= 0 or UNAVAILABLE (-1), was " + threads);
        }
        if (gcTimeMillis < UNAVAILABLE) {
            throw new IllegalArgumentException("gcTimeMillis must be >= 0 or UNAVAILABLE (-1), was " + gcTimeMillis);
        }
    }

    private static void checkPct(String name, double v) {
        if (!Double.isNaN(v) && !(v >= 0 && v <= 100)) {
            throw new IllegalArgumentException(name + " must be in [0, 100] or NaN, was " + v);
        }
    }

    /** @return whether {@link #memoryUsedPct()} is a measurement */
    public boolean memoryUsedAvailable() {
        return !Double.isNaN(memoryUsedPct);
    }

    /** @return whether {@link #heapUsedPct()} is a measurement */
    public boolean heapUsedAvailable() {
        return !Double.isNaN(heapUsedPct);
    }

    /** @return whether {@link #rssBytes()} is a measurement */
    public boolean rssAvailable() {
        return rssBytes != UNAVAILABLE;
    }

    /** @return whether {@link #cpuLoad()} is a measurement */
    public boolean cpuLoadAvailable() {
        return !Double.isNaN(cpuLoad);
    }

    /** @return whether {@link #cpuTemperatureCelsius()} is a measurement (false on most VMs) */
    public boolean cpuTemperatureAvailable() {
        return !Double.isNaN(cpuTemperatureCelsius);
    }

    /** @return whether {@link #threads()} is a measurement */
    public boolean threadsAvailable() {
        return threads != UNAVAILABLE;
    }

    /** @return whether {@link #gcTimeMillis()} is a measurement */
    public boolean gcTimeAvailable() {
        return gcTimeMillis != UNAVAILABLE;
    }

    /** @return the CPU temperature in degrees Celsius, or empty when the host has no sensor */
    public OptionalDouble cpuTemperature() {
        return cpuTemperatureAvailable() ? OptionalDouble.of(cpuTemperatureCelsius) : OptionalDouble.empty();
    }
}
