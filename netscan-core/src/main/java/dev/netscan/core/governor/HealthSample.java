package dev.netscan.core.governor;

import dev.netscan.core.HealthReport;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the governor saw and decided in one sample: the host measurement, each error source's
 * window, the throttle it published and the alert level. Immutable.
 *
 * @param time when the sample was taken (governor clock)
 * @param host the host measurement
 * @param errorWindows error source name to that source's counts in this sample's window, sorted
 *     by name, unmodifiable
 * @param throttle the throttle published by this sample
 * @param level the most severe active condition, {@link AlertTier#INFO} when none
 */
public record HealthSample(
        Instant time, HostSample host, Map<String, ErrorRate.Window> errorWindows, Throttle throttle, AlertTier level) {

    /** @throws NullPointerException if any component is null */
    public HealthSample {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(level, "level");
        errorWindows = Collections.unmodifiableSortedMap(new TreeMap<>(errorWindows));
    }

    /** @return the highest error percent among sources that had events in the window, or NaN */
    public double worstErrorPct() {
        double worst = Double.NaN;
        for (ErrorRate.Window w : errorWindows.values()) {
            double p = w.errorPct();
            if (!Double.isNaN(p) && (Double.isNaN(worst) || p > worst)) worst = p;
        }
        return worst;
    }

    /**
     * Turns this sample into the {@code health_metrics} fields. Names are snake_case:
     * {@code memory_used_pct, heap_used_pct, rss_bytes, cpu_load, cpu_temp_c, threads, gc_time_ms,
     * error_rate_pct, throttle_rate_pps, throttle_in_flight, throttle_snmp_in_flight,
     * throttle_batch_size, throttle_pacing_ns, discovery_paused, alert_level}. A host value that is
     * unavailable (e.g. {@code cpu_temp_c} on a VM) is absent, never 0; {@code error_rate_pct} (the
     * worst source) is absent when no source had events. {@code alert_level} is the tier name
     * ({@code INFO}, {@code WARNING}, {@code CRITICAL}).
     *
     * @return a report stamped with {@link #time()} in epoch nanoseconds
     */
    public HealthReport toHealthReport() {
        Map<String, Object> f = new HashMap<>();
        if (host.memoryUsedAvailable()) f.put("memory_used_pct", host.memoryUsedPct());
        if (host.heapUsedAvailable()) f.put("heap_used_pct", host.heapUsedPct());
        if (host.rssAvailable()) f.put("rss_bytes", host.rssBytes());
        if (host.cpuLoadAvailable()) f.put("cpu_load", host.cpuLoad());
        if (host.cpuTemperatureAvailable()) f.put("cpu_temp_c", host.cpuTemperatureCelsius());
        if (host.threadsAvailable()) f.put("threads", (long) host.threads());
        if (host.gcTimeAvailable()) f.put("gc_time_ms", host.gcTimeMillis());
        double err = worstErrorPct();
        if (!Double.isNaN(err)) f.put("error_rate_pct", err);
        f.put("throttle_rate_pps", (long) throttle.rateLimitPps());
        f.put("throttle_in_flight", (long) throttle.probesInFlight());
        f.put("throttle_snmp_in_flight", (long) throttle.snmpInFlight());
        f.put("throttle_batch_size", (long) throttle.writerBatchSize());
        f.put("throttle_pacing_ns", throttle.pacingNanos());
        f.put("discovery_paused", throttle.discoveryPaused());
        f.put("alert_level", level.name());
        long epochNanos = Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
        return new HealthReport(epochNanos, f);
    }
}
