package dev.kindling.core.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark memory setting such as {@code 512m} or {@code 28g}: a whole number and one of the JVM
 * unit letters {@code k}, {@code m}, {@code g}, {@code t}. {@code 28gb}, {@code 1.5g} and {@code
 * 28} are rejected, because the Spark pools of Fabric and Synapse reject them.
 *
 * @param amount the number
 * @param unit the unit letter, lower case
 */
public record MemorySize(long amount, char unit) {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})([kmgt])");

  public MemorySize {
    if (amount <= 0) {
      throw new IllegalArgumentException("memory size must be positive: " + amount);
    }
    if ("kmgt".indexOf(unit) < 0) {
      throw new IllegalArgumentException("memory unit must be one of k, m, g, t: " + unit);
    }
  }

  /** Parses {@code 4g}; empty when the text is not of that form. */
  public static Optional<MemorySize> tryParse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    if (amount == 0) {
      return Optional.empty();
    }
    return Optional.of(new MemorySize(amount, m.group(2).charAt(0)));
  }

  /** Parses {@code 4g}, or throws {@link IllegalArgumentException} saying what form is expected. */
  public static MemorySize parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'"
                        + text
                        + "' is not a memory size; use a whole number and one of k, m, g, t,"
                        + " e.g. 512m or 28g"));
  }

  /** The size in bytes. */
  public long bytes() {
    long factor =
        switch (unit) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          default -> 1L << 40;
        };
    return Math.multiplyExact(amount, factor);
  }

  /** The size in whole gigabytes, rounded down. */
  public long gigabytes() {
    return bytes() >> 30;
  }

  @Override
  public String toString() {
    return Objects.toString(amount) + unit;
  }
}
