package dev.kindling.core.error;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The root of every exception Kindling throws. Unchecked. Carries what the platform said, when a
 * platform was involved: the HTTP status, the platform's error code and the request id to quote in
 * a support ticket. Messages never contain secrets.
 */
public class KindlingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Integer httpStatus;
  private final String errorCode;
  private final String requestId;
  private final String platform;

  public KindlingException(String message) {
    this(message, null, null, null, null, null);
  }

  public KindlingException(String message, Throwable cause) {
    this(message, cause, null, null, null, null);
  }

  public KindlingException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause);
    this.platform = platform;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.requestId = requestId;
  }

  /** The HTTP status of the failed platform call, if there was one. */
  public OptionalInt httpStatus() {
    return httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /** The platform's own error code (e.g. {@code ItemNotFound}, {@code INVALID_PARAMETER_VALUE}). */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** The platform's request or activity id, for support. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** The platform id ({@code fabric}, {@code databricks}, ...) that raised it, if any. */
  public Optional<String> platform() {
    return Optional.ofNullable(platform);
  }
}
