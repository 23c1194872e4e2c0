package dev.kindling.core.error;

/**
 * A temporary platform or network failure that outlived the retry budget; trying again later may
 * succeed.
 */
public class TransientException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public TransientException(String message) {
    super(message);
  }

  public TransientException(String message, Throwable cause) {
    super(message, cause);
  }

  public TransientException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
