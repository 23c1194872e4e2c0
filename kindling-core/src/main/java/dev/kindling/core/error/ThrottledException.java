package dev.kindling.core.error;

/** The platform kept throttling (HTTP 429) past the retry budget. */
public class ThrottledException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public ThrottledException(String message) {
    super(message);
  }

  public ThrottledException(String message, Throwable cause) {
    super(message, cause);
  }

  public ThrottledException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
