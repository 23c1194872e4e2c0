package dev.kindling.databricks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.run.RunState;
import java.util.Optional;

/**
 * Maps a Databricks run's state to Kindling's (platform-apis.md §1). The newer {@code status}
 * object is preferred; the legacy {@code state} ({@code life_cycle_state} + {@code result_state})
 * is the fallback. Values no table knows map to {@link RunState#UNKNOWN} (or, for an unknown
 * termination code of a terminated run, to {@link RunState#FAILED}, as documented), never to an
 * exception. Works on the raw JSON so the platform's values are kept verbatim.
 */
final class RunStates {
  /**
   * The mapping of one run.
   *
   * @param state Kindling's state
   * @param platformState what Databricks said, e.g. {@code TERMINATED/SUCCESS}
   * @param message the platform's explanation (termination message or state message), if any
   */
  record Mapped(RunState state, String platformState, Optional<String> message) {}

  private RunStates() {}

  static Mapped map(JsonNode run) {
    JsonNode status = run.path("status");
    JsonNode legacy = run.path("state");
    String v2 = text(status.path("state"));
    Optional<String> message =
        nonEmpty(text(status.path("termination_details").path("message")))
            .or(() -> nonEmpty(text(legacy.path("state_message"))));
    String lifeCycle = text(legacy.path("life_cycle_state"));
    String result = text(legacy.path("result_state"));
    if (!v2.isEmpty()) {
      String code = text(status.path("termination_details").path("code"));
      RunState s = fromStatus(v2, code, result);
      if (s != null) {
        String shown = v2.equals("TERMINATED") && !code.isEmpty() ? v2 + "/" + code : v2;
        return new Mapped(s, shown, message);
      }
    }
    RunState s = fromLegacy(lifeCycle, result);
    String shown =
        lifeCycle.isEmpty()
            ? (v2.isEmpty() ? "(no state)" : v2)
            : result.isEmpty() ? lifeCycle : lifeCycle + "/" + result;
    return new Mapped(s, shown, message);
  }

  /** From {@code status}; null when {@code state} is unknown (fall back to the legacy state). */
  static RunState fromStatus(String state, String code, String resultState) {
    return switch (state) {
      case "QUEUED" -> RunState.QUEUED;
      case "PENDING", "BLOCKED", "WAITING" -> RunState.PENDING;
      case "RUNNING", "TERMINATING" -> RunState.RUNNING;
      case "TERMINATED" -> {
        if (code.isEmpty()) {
          yield resultState.isEmpty() ? RunState.UNKNOWN : fromLegacy("TERMINATED", resultState);
        }
        yield switch (code) {
          case "SUCCESS", "SUCCESS_WITH_FAILURES" -> RunState.SUCCEEDED;
          case "USER_CANCELED", "CANCELED" -> RunState.CANCELLED;
          case "SKIPPED",
              "DISABLED",
              "MAX_CONCURRENT_RUNS_EXCEEDED",
              "MAX_JOB_QUEUE_SIZE_EXCEEDED" ->
              RunState.SKIPPED;
          // there is no timeout code: the legacy result state tells a timeout apart
          default -> resultState.equals("TIMEDOUT") ? RunState.TIMED_OUT : RunState.FAILED;
        };
      }
      default -> null;
    };
  }

  /** From {@code state.life_cycle_state} and {@code state.result_state}. */
  static RunState fromLegacy(String lifeCycle, String result) {
    return switch (lifeCycle) {
      case "QUEUED" -> RunState.QUEUED;
      case "PENDING", "BLOCKED", "WAITING_FOR_RETRY" -> RunState.PENDING;
      case "RUNNING", "TERMINATING" -> RunState.RUNNING;
      case "SKIPPED" -> RunState.SKIPPED;
      case "INTERNAL_ERROR" -> RunState.FAILED;
      case "TERMINATED" ->
          switch (result) {
            case "SUCCESS", "SUCCESS_WITH_FAILURES" -> RunState.SUCCEEDED;
            case "FAILED" -> RunState.FAILED;
            case "TIMEDOUT" -> RunState.TIMED_OUT;
            case "CANCELED" -> RunState.CANCELLED;
            case "UPSTREAM_FAILED",
                "UPSTREAM_CANCELED",
                "EXCLUDED",
                "DISABLED",
                "MAXIMUM_CONCURRENT_RUNS_REACHED" ->
                RunState.SKIPPED;
            // no result yet, or one no table knows: keep polling
            default -> RunState.UNKNOWN;
          };
      default -> RunState.UNKNOWN;
    };
  }

  private static String text(JsonNode n) {
    return n == null || n.isMissingNode() || n.isNull() ? "" : n.asText("").trim();
  }

  private static Optional<String> nonEmpty(String s) {
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
