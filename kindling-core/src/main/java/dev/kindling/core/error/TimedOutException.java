package dev.kindling.core.error;

import dev.kindling.core.run.JobStatus;
import java.util.Optional;

/**
 * A wait or an operation passed its deadline. A wait for a run carries the last status seen; the
 * run itself goes on unless cancelled.
 */
public class TimedOutException extends KindlingException {
  private static final long serialVersionUID = 1L;

  /** Not serialized: a status is a snapshot for the code that caught this, not a record. */
  private final transient JobStatus lastStatus;

  public TimedOutException(String message) {
    this(message, (JobStatus) null);
  }

  /**
   * @param lastStatus the last status seen before the deadline; may be null
   */
  public TimedOutException(String message, JobStatus lastStatus) {
    super(message);
    this.lastStatus = lastStatus;
  }

  public TimedOutException(String message, Throwable cause) {
    super(message, cause);
    this.lastStatus = null;
  }

  public TimedOutException(
      String message,
      Throwable cause,
      String platform,
      Integer httpStatus,
      String errorCode,
      String requestId) {
    super(message, cause, platform, httpStatus, errorCode, requestId);
    this.lastStatus = null;
  }

  /** The last status of the run being waited for, if this is a run wait and one was seen. */
  public Optional<JobStatus> lastStatus() {
    return Optional.ofNullable(lastStatus);
  }
}
