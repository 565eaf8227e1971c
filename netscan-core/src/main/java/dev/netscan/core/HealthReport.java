package dev.netscan.core;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One health report (the {@code health_metrics} measurement): named values from every part of the
 * system at one moment. Values are {@link Long}, {@link Double}, {@link Boolean} or {@link String};
 * a value the host cannot give (no temperature sensor) is simply absent, never 0.
 *
 * @param timestampEpochNanos when the report was taken
 * @param fields field name to value, sorted by name, unmodifiable
 */
public record HealthReport(long timestampEpochNanos, Map<String, Object> fields) {

    public HealthReport {
        TreeMap<String, Object> copy = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (!(v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof String)) {
                throw new IllegalArgumentException("health field " + k + " has unsupported type "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            copy.put(k, v);
        });
        fields = Collections.unmodifiableSortedMap(copy);
    }
}
