package dev.kindling.core.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The platform kept throttling (HTTP 429) past the retry budget. May carry the wait the platform
 * asked for ({@code Retry-After}), which a poller honours before asking again.
 */
public class ThrottledException extends KindlingException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public ThrottledException(String message) {
    this(message, null, null, null, null, null, null);
  }

  public ThrottledException(String message, Throwable cause) {
    this(message, cause, null, null, null, null, null);
  }

  public ThrottledException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    this(message, cause, platform, httpStatus, errorCode, requestId, null);
  }

  /**
   * @param retryAfter the wait the platform asked for; may be null
   */
  public ThrottledException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId,
      Duration retryAfter) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
    this.retryAfter = retryAfter;
  }

  /** How long the platform asked to wait before trying again, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
