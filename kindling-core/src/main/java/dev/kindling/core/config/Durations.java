package dev.kindling.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations written as a sum of whole units: {@code 500ms}, {@code 90s}, {@code 1h30m}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * The duration {@code text} writes as one or more {@code <number><unit>} parts with nothing in
   * between, units {@code ms}, {@code s}, {@code m}, {@code h} and, when {@code days} is true,
   * {@code d}; case and surrounding blanks are ignored. Empty when the text is anything else, or
   * too large for a {@link Duration}.
   */
  public static Optional<Duration> sum(String text, boolean days) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = PART.matcher(v);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find()) {
        if (m.start() != end || (!days && m.group(2).equals("d"))) {
          return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
        end = m.end();
      }
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
    return end == 0 || end != v.length() ? Optional.empty() : Optional.of(total);
  }
}
