package dev.kindling.core.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import okhttp3.Response;

/**
 * Reads a {@code Retry-After} header (RFC 9110 section 10.2.3): either a number of seconds ({@code
 * 55}) or an HTTP-date ({@code Wed, 21 Oct 2015 07:28:00 GMT}).
 */
public final class RetryAfter {
  private RetryAfter() {}

  /** The wait the response asks for, if it has a readable {@code Retry-After} header. */
  public static Optional<Duration> from(Response response, Instant now) {
    return parse(response.header("Retry-After"), now);
  }

  /**
   * Parses a header value. A date in the past gives {@link Duration#ZERO}; a missing, negative or
   * unreadable value gives empty.
   *
   * @param value the header value; may be null
   * @param now the current instant, to turn a date into a wait
   */
  public static Optional<Duration> parse(String value, Instant now) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      } catch (NumberFormatException tooLong) {
        return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException unreadable) {
      return Optional.empty();
    }
  }
}
