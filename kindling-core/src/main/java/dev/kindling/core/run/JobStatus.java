package dev.kindling.core.run;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one run: the normalized state and what the platform said.
 *
 * @param runId the self-contained run id
 * @param state the normalized state
 * @param platformState the platform's own value, verbatim (e.g. {@code InProgress}, {@code
 *     TERMINATED/SUCCESS}, {@code dead})
 * @param startTime when the run started, if known
 * @param endTime when the run ended, if known
 * @param error the failure reason, if any
 * @param logsLocation where the run's logs and result live, if known
 */
public record JobStatus(
    String runId,
    RunState state,
    String platformState,
    Optional<Instant> startTime,
    Optional<Instant> endTime,
    Optional<String> error,
    Optional<String> logsLocation) {

  public JobStatus {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(state, "state");
    platformState = platformState == null ? "" : platformState;
    startTime = startTime == null ? Optional.empty() : startTime;
    endTime = endTime == null ? Optional.empty() : endTime;
    error = error == null ? Optional.empty() : error;
    logsLocation = logsLocation == null ? Optional.empty() : logsLocation;
  }

  public static JobStatus of(String runId, RunState state, String platformState) {
    return new JobStatus(
        runId,
        state,
        platformState,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public boolean isTerminal() {
    return state.isTerminal();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("JobStatus{").append(runId).append(' ').append(state);
    if (!platformState.isEmpty()) {
      sb.append(" (").append(platformState).append(')');
    }
    startTime.ifPresent(t -> sb.append(" started ").append(t));
    endTime.ifPresent(t -> sb.append(" ended ").append(t));
    error.ifPresent(e -> sb.append(" error: ").append(e));
    return sb.append('}').toString();
  }
}
