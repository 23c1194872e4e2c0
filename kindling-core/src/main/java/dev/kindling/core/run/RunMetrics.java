package dev.kindling.core.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One run of a job as its history shows it.
 *
 * @param runId the self-contained run id ({@code kindling status|logs|result RUN_ID} take it)
 * @param state the normalized state
 * @param platformState the platform's own state value
 * @param submitted when the run was submitted, if known
 * @param started when the app started running (after any queue and cluster start), if known
 * @param ended when the run ended, if it has
 * @param attempts how many times the platform ran it (retries included); 1 where the platform does
 *     not retry
 * @param release the release the run used, if known
 * @param bytesDeployed the total size of that release's files, if known
 */
public record RunMetrics(
    String runId,
    RunState state,
    String platformState,
    Optional<Instant> submitted,
    Optional<Instant> started,
    Optional<Instant> ended,
    int attempts,
    Optional<String> release,
    OptionalLong bytesDeployed) {
  public RunMetrics {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(state, "state");
    platformState = platformState == null ? "" : platformState;
    submitted = submitted == null ? Optional.empty() : submitted;
    started = started == null ? Optional.empty() : started;
    ended = ended == null ? Optional.empty() : ended;
    release = release == null ? Optional.empty() : release;
    bytesDeployed = bytesDeployed == null ? OptionalLong.empty() : bytesDeployed;
    if (started.isPresent() && submitted.isPresent() && started.get().isBefore(submitted.get())) {
      submitted = started;
    }
  }

  /** Submitted to started: waiting for capacity and cluster start. */
  public Optional<Duration> queueTime() {
    return submitted.isPresent() && started.isPresent()
        ? Optional.of(Duration.between(submitted.get(), started.get()))
        : Optional.empty();
  }

  /** Started to ended (only once the run has ended). */
  public Optional<Duration> runTime() {
    return started.isPresent() && ended.isPresent() && !ended.get().isBefore(started.get())
        ? Optional.of(Duration.between(started.get(), ended.get()))
        : Optional.empty();
  }

  /** This run with the release and its size filled in (for platforms that learn them late). */
  public RunMetrics withRelease(Optional<String> release, OptionalLong bytesDeployed) {
    return new RunMetrics(
        runId, state, platformState, submitted, started, ended, attempts, release, bytesDeployed);
  }
}
