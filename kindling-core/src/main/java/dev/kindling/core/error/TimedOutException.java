package dev.kindling.core.error;

/** A wait or an operation passed its deadline. */
public class TimedOutException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public TimedOutException(String message) {
    super(message);
  }

  public TimedOutException(String message, Throwable cause) {
    super(message, cause);
  }

  public TimedOutException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
