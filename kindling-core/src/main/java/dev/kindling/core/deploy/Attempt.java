package dev.kindling.core.deploy;

import dev.kindling.core.run.JobStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt of a {@link RetriedRun}: a run submitted to the platform.
 *
 * @param number 1 for the first run, 2 for the first retry, ...
 * @param runId the attempt's own run id
 * @param end how it ended; empty while it runs
 */
public record Attempt(int number, String runId, Optional<JobStatus> end) {
  public Attempt {
    Objects.requireNonNull(runId, "runId");
    end = end == null ? Optional.empty() : end;
  }
}
