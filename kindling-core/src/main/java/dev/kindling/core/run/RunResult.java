package dev.kindling.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a finished (or running) run produced, read from the {@code result.json} the bootstrap shim
 * writes at the end of a run, joined with the platform's final state. {@link RunResults#parse}
 * builds it; {@code DataAppDeployer.result(runId)} fetches it.
 *
 * @param runId the run
 * @param state the platform's normalized state of the run
 * @param resultWritten true when the run's {@code result.json} exists (a run that has not ended, a
 *     JVM run on a cloud platform, or a run whose driver died has none; every other field then
 *     comes from the platform's status alone)
 * @param exitState the shim's verdict ({@code SUCCEEDED}/{@code FAILED}), or the platform state's
 *     name when there is no result.json
 * @param exitCode the app's exit code, when the shim recorded one
 * @param error the error ({@code ValueError: boom}), if the run failed
 * @param traceback the formatted traceback of the app's exception, if any
 * @param outputTail the last lines of the driver's stdout and stderr (at most {@link
 *     RunResults#MAX_TAIL_LINES} lines)
 * @param value the JSON value the app returned ({@code kindling.set_result(...)} or a module-level
 *     {@code result}), if any
 * @param valueError why a value the app returned was not recorded (too large, not JSON), if so
 * @param app the app name, when known
 * @param release the release the run used, when known
 * @param start when the app started (the shim's clock), or the platform's start time
 * @param end when the app ended (the shim's clock), or the platform's end time
 */
public record RunResult(
    String runId,
    RunState state,
    boolean resultWritten,
    String exitState,
    OptionalInt exitCode,
    Optional<String> error,
    Optional<String> traceback,
    List<String> outputTail,
    Optional<JsonNode> value,
    Optional<String> valueError,
    Optional<String> app,
    Optional<String> release,
    Optional<Instant> start,
    Optional<Instant> end) {

  public RunResult {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(state, "state");
    exitState = exitState == null ? state.name() : exitState;
    exitCode = exitCode == null ? OptionalInt.empty() : exitCode;
    error = error == null ? Optional.empty() : error;
    traceback = traceback == null ? Optional.empty() : traceback;
    outputTail = outputTail == null ? List.of() : List.copyOf(outputTail);
    value = value == null ? Optional.empty() : value.map(JsonNode::deepCopy);
    valueError = valueError == null ? Optional.empty() : valueError;
    app = app == null ? Optional.empty() : app;
    release = release == null ? Optional.empty() : release;
    start = start == null ? Optional.empty() : start;
    end = end == null ? Optional.empty() : end;
  }

  /** The value as JSON text ({@code null} when the app returned none). */
  public String valueJson() {
    return value.map(JsonNode::toString).orElse("null");
  }

  /** True when the run succeeded. */
  public boolean isSuccess() {
    return state.isSuccess();
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("RunResult{").append(runId).append(' ').append(state).append(' ');
    sb.append(exitState);
    exitCode.ifPresent(c -> sb.append(" exit ").append(c));
    error.ifPresent(e -> sb.append(" error: ").append(e));
    value.ifPresent(v -> sb.append(" value: ").append(RunResults.abbreviate(v.toString(), 200)));
    return sb.append('}').toString();
  }
}
