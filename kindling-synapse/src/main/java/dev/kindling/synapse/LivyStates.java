package dev.kindling.synapse;

import dev.kindling.core.run.RunState;
import java.util.Locale;
import java.util.Set;

/**
 * Maps a Livy batch's {@code state} (a free string; the LivyStates known values, lower case) and
 * Synapse's {@code result} to a {@link RunState} (platform-apis.md section 1). {@code result} is
 * only trusted once the state is terminal: the spec's own example shows {@code result: Succeeded}
 * while {@code state: running}.
 */
final class LivyStates {
  /** The states a batch never leaves. */
  static final Set<String> TERMINAL = Set.of("success", "dead", "error", "killed");

  private LivyStates() {}

  static RunState map(String state, String result) {
    String s = state == null ? "" : state.trim().toLowerCase(Locale.ROOT);
    RunState byState =
        switch (s) {
          case "not_started", "starting", "recovering" -> RunState.PENDING;
          case "running", "busy", "idle", "shutting_down" -> RunState.RUNNING;
          case "success" -> RunState.SUCCEEDED;
          case "dead", "error" -> RunState.FAILED;
          case "killed" -> RunState.CANCELLED;
          default -> RunState.UNKNOWN;
        };
    if (!byState.isTerminal()) {
      return byState;
    }
    // terminal: the result field breaks ties (a dead batch the user cancelled, a "success" whose
    // application failed)
    String r = result == null ? "" : result.trim().toLowerCase(Locale.ROOT);
    return switch (r) {
      case "succeeded" -> byState == RunState.SUCCEEDED ? RunState.SUCCEEDED : byState;
      case "failed" -> RunState.FAILED;
      case "cancelled" -> RunState.CANCELLED;
      default -> byState;
    };
  }

  static boolean isTerminal(String state) {
    return state != null && TERMINAL.contains(state.trim().toLowerCase(Locale.ROOT));
  }
}
