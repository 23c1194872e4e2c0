package dev.kindling.core.error;

/** The thing named (job, run, file) does not exist on the platform. */
public class NotFoundException extends KindlingException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  public NotFoundException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
  }
}
