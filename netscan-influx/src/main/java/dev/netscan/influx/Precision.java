package dev.netscan.influx;

/**
 * Timestamp precision of written line protocol, as named by the InfluxDB {@code precision} query
 * parameter. Timestamps are converted from epoch nanoseconds by flooring division (a point at
 * 1.9 s written with {@link #SECONDS} carries 1).
 */
public enum Precision {
    /** Nanoseconds ({@code ns}). */
    NANOSECONDS("ns", 1L),
    /** Microseconds ({@code us}). */
    MICROSECONDS("us", 1_000L),
    /** Milliseconds ({@code ms}). */
    MILLISECONDS("ms", 1_000_000L),
    /** Seconds ({@code s}). */
    SECONDS("s", 1_000_000_000L);

    private final String queryValue;
    private final long nanosPerUnit;

    Precision(String queryValue, long nanosPerUnit) {
        this.queryValue = queryValue;
        this.nanosPerUnit = nanosPerUnit;
    }

    /** The value of the {@code precision} query parameter ({@code ns}, {@code us}, {@code ms}, {@code s}). */
    public String queryValue() {
        return queryValue;
    }

    /** Converts epoch nanoseconds to this precision (floor division). */
    public long fromEpochNanos(long epochNanos) {
        return nanosPerUnit == 1L ? epochNanos : Math.floorDiv(epochNanos, nanosPerUnit);
    }

    /** Nanoseconds in one unit of this precision. */
    public long nanosPerUnit() {
        return nanosPerUnit;
    }

    /**
     * Parses {@code ns}, {@code us}, {@code ms} or {@code s}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.queryValue.equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision must be one of ns, us, ms, s; was '" + text + "'");
    }
}
