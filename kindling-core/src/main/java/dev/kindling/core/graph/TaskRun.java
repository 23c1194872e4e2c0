package dev.kindling.core.graph;

import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.run.RunState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task of a {@link GraphRun}, as far as it got.
 *
 * @param task the task name
 * @param state {@link RunState#PENDING} until it starts; {@link RunState#SKIPPED} when its run_if
 *     did not hold or the graph was cancelled first
 * @param jobId the task's job, once deployed
 * @param runId the latest attempt's run id, once started
 * @param attempts each attempt (with its own run id); more than one when the task was retried
 * @param message why it failed or was skipped
 * @param upstreamFailed for a skipped task: skipped because a task upstream failed
 */
public record TaskRun(
    String task,
    RunState state,
    Optional<String> jobId,
    Optional<String> runId,
    List<Attempt> attempts,
    Optional<String> message,
    boolean upstreamFailed) {
  public TaskRun {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(state, "state");
    jobId = jobId == null ? Optional.empty() : jobId;
    runId = runId == null ? Optional.empty() : runId;
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
    message = message == null ? Optional.empty() : message;
  }

  static TaskRun pending(String task) {
    return new TaskRun(task, RunState.PENDING, null, null, null, null, false);
  }

  /** How a downstream task's run_if sees this one. */
  RunIf.Outcome outcome() {
    return switch (state) {
      case SUCCEEDED -> RunIf.Outcome.SUCCEEDED;
      case FAILED, TIMED_OUT -> RunIf.Outcome.FAILED;
      case SKIPPED -> upstreamFailed ? RunIf.Outcome.FAILED : RunIf.Outcome.OTHER;
      default -> RunIf.Outcome.OTHER;
    };
  }

  TaskRun with(RunState s) {
    return new TaskRun(task, s, jobId, runId, attempts, message, upstreamFailed);
  }

  TaskRun withJob(String job) {
    return new TaskRun(task, state, Optional.of(job), runId, attempts, message, upstreamFailed);
  }
}
