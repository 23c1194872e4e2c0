package dev.kindling.core.run;

/**
 * Fetches a run's current status for a {@link RunPoller}; usually {@code
 * platformService::getJobStatus}.
 *
 * <p>May throw any {@link dev.kindling.core.error.KindlingException}. A {@link
 * dev.kindling.core.error.TransientException} or {@link dev.kindling.core.error.ThrottledException}
 * is tolerated for a while (see {@link PollOptions#maxConsecutiveFailures()}); anything else ends
 * the wait with that exception.
 */
@FunctionalInterface
public interface StatusSource {
  /** The run's status now; never null. */
  JobStatus fetch(String runId);
}
