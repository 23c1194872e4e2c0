package dev.kindling.cli;

import dev.kindling.core.config.Durations;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Parses {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 500ms} and ISO-8601 {@code
 * PT30M}.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.startsWith("pt") || v.startsWith("p")) {
      try {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw bad(value);
      }
    }
    Duration total = Durations.sum(v, true).orElseThrow(() -> bad(value));
    if (total.isZero()) {
      throw bad(value);
    }
    return total;
  }

  private static CommandLine.TypeConversionException bad(String value) {
    return new CommandLine.TypeConversionException(
        "'" + value + "' is not a duration; use e.g. 90s, 30m, 2h or 1h30m");
  }
}
