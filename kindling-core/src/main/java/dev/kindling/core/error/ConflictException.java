package dev.kindling.core.error;

/** The platform refused because of a conflicting state (name taken, concurrent change). */
public class ConflictException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  public ConflictException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
