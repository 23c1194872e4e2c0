package dev.kindling.core.http;

import java.util.Optional;

/**
 * What a platform's error response says, as read by its {@link ErrorBodyParser}.
 *
 * @param code the platform's error code, e.g. {@code ItemNotFound} or {@code
 *     INVALID_PARAMETER_VALUE}
 * @param message the platform's message
 * @param requestId the platform's request or activity id
 */
public record PlatformError(
    Optional<String> code, Optional<String> message, Optional<String> requestId) {
  private static final PlatformError NONE =
      new PlatformError(Optional.empty(), Optional.empty(), Optional.empty());

  public PlatformError {
    code = clean(code);
    message = clean(message);
    requestId = clean(requestId);
  }

  /** From nullable values; blank counts as absent. */
  public static PlatformError of(String code, String message, String requestId) {
    return new PlatformError(
        Optional.ofNullable(code), Optional.ofNullable(message), Optional.ofNullable(requestId));
  }

  /** Nothing known. */
  public static PlatformError none() {
    return NONE;
  }

  private static Optional<String> clean(Optional<String> value) {
    return value == null ? Optional.empty() : value.map(String::strip).filter(s -> !s.isEmpty());
  }
}
