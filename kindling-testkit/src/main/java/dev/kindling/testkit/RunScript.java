package dev.kindling.testkit;

import dev.kindling.core.run.RunState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a run of the {@link FakePlatformService} behaves: it becomes terminal on the {@code
 * terminalAfterPolls}-th status poll (before that it is {@code PENDING} on the first poll and
 * {@code RUNNING} after), or runs until cancelled.
 *
 * @param terminalAfterPolls the poll at which the run ends; ignored when {@code hang}
 * @param outcome the terminal state
 * @param error the failure reason for failed runs
 * @param hang run until cancelled
 * @param output lines the "app" prints
 */
public record RunScript(
    int terminalAfterPolls,
    RunState outcome,
    Optional<String> error,
    boolean hang,
    List<String> output) {
  public RunScript {
    Objects.requireNonNull(outcome, "outcome");
    if (!outcome.isTerminal()) {
      throw new IllegalArgumentException("outcome must be terminal: " + outcome);
    }
    if (terminalAfterPolls < 1) {
      throw new IllegalArgumentException("terminalAfterPolls must be at least 1");
    }
    error = error == null ? Optional.empty() : error;
    output = output == null ? List.of() : List.copyOf(output);
  }

  /** Succeeds on the {@code polls}-th status poll. */
  public static RunScript succeedAfterPolls(int polls) {
    return new RunScript(polls, RunState.SUCCEEDED, null, false, null);
  }

  /** Fails with {@code error} on the {@code polls}-th status poll. */
  public static RunScript failAfterPolls(int polls, String error) {
    return new RunScript(polls, RunState.FAILED, Optional.of(error), false, null);
  }

  /** Runs until cancelled. */
  public static RunScript hangUntilCancelled() {
    return new RunScript(1, RunState.CANCELLED, null, true, null);
  }

  /** The same script, printing {@code lines}. */
  public RunScript printing(String... lines) {
    return new RunScript(terminalAfterPolls, outcome, error, hang, List.of(lines));
  }
}
