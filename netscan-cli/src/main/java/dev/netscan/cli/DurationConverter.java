package dev.netscan.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code 500ms}, {@code 2s}, {@code 1h30m} for options. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
