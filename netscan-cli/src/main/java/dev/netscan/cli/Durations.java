package dev.netscan.cli;

import java.time.Duration;

/**
 * Parses durations the way the Go service's config files write them: {@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 4h}, {@code 1h30m}, {@code 1.5s}, {@code 250us}, {@code 0}. A bare number is
 * refused (is {@code 5} seconds or minutes?), except {@code 0}.
 */
public final class Durations {
    private Durations() {}

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text.strip();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (expected e.g. 500ms, 30s, 5m, 1h30m)");
        }
        long totalNanos = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int start = i;
            while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("\"" + text + "\" is not a duration (expected e.g. 500ms, 30s, 5m, 1h30m)");
            }
            double value;
            try {
                value = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + text + "\" has a malformed number");
            }
            int unitStart = i;
            while (i < n && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long nanosPerUnit = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "d" -> 86_400_000_000_000L;
                case "" -> throw new IllegalArgumentException("\"" + text + "\" needs a unit (ns, us, ms, s, m, h, d)");
                default -> throw new IllegalArgumentException("\"" + text + "\" has unknown unit \"" + unit + "\" (use ns, us, ms, s, m, h, d)");
            };
            double nanos = value * nanosPerUnit;
            if (nanos > Long.MAX_VALUE / 2.0) {
                throw new IllegalArgumentException("\"" + text + "\" is too long");
            }
            totalNanos += (long) nanos;
        }
        return Duration.ofNanos(totalNanos);
    }
}
