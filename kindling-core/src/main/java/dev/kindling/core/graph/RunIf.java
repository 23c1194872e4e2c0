package dev.kindling.core.graph;

import java.util.Collection;

/**
 * When a task of a {@link JobGraph} runs, given how its dependencies ended; the values and meaning
 * of Databricks' {@code run_if}. A task whose condition does not hold is {@linkplain
 * dev.kindling.core.run.RunState#SKIPPED skipped}.
 */
public enum RunIf {
  /** Every dependency succeeded (the default). */
  ALL_SUCCESS,
  /** At least one dependency succeeded. */
  AT_LEAST_ONE_SUCCESS,
  /** No dependency failed (succeeded, or skipped or cancelled without a failure upstream). */
  NONE_FAILED,
  /** Every dependency ended, however it ended. */
  ALL_DONE,
  /** At least one dependency failed: a clean-up or alerting task. */
  AT_LEAST_ONE_FAILED,
  /** Every dependency failed. */
  ALL_FAILED;

  /** How a dependency ended, as a condition sees it. */
  public enum Outcome {
    SUCCEEDED,
    /** Failed, timed out, or skipped because a task upstream of it failed. */
    FAILED,
    /** Cancelled, or skipped without a failure upstream. */
    OTHER
  }

  /** True if a task with this condition runs after dependencies that ended {@code outcomes}. */
  public boolean holds(Collection<Outcome> outcomes) {
    long ok = outcomes.stream().filter(o -> o == Outcome.SUCCEEDED).count();
    long failed = outcomes.stream().filter(o -> o == Outcome.FAILED).count();
    int n = outcomes.size();
    return switch (this) {
      case ALL_SUCCESS -> ok == n;
      case AT_LEAST_ONE_SUCCESS -> n == 0 || ok > 0;
      case NONE_FAILED -> failed == 0;
      case ALL_DONE -> true;
      case AT_LEAST_ONE_FAILED -> failed > 0;
      case ALL_FAILED -> n > 0 && failed == n;
    };
  }
}
