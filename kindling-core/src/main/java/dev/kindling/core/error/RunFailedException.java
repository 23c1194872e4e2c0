package dev.kindling.core.error;

/** A run ended in a failed state. */
public class RunFailedException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }

  public RunFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  public RunFailedException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
