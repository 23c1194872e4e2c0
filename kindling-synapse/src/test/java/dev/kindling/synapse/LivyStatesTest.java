package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.run.RunState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Livy state mapping of platform-apis.md section 1. */
class LivyStatesTest {
  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource({
    "not_started, Uncertain, PENDING",
    "starting, Uncertain, PENDING",
    "recovering, Uncertain, PENDING",
    "running, Uncertain, RUNNING",
    "busy, Uncertain, RUNNING",
    "idle, Uncertain, RUNNING",
    "shutting_down, Uncertain, RUNNING",
    // result is not trusted while the state is not terminal (the spec's own example)
    "running, Succeeded, RUNNING",
    "running, Failed, RUNNING",
    "success, Succeeded, SUCCEEDED",
    "success, Uncertain, SUCCEEDED",
    "success, , SUCCEEDED",
    "success, Failed, FAILED",
    "dead, Failed, FAILED",
    "dead, Uncertain, FAILED",
    "error, Failed, FAILED",
    "dead, Cancelled, CANCELLED",
    "killed, Cancelled, CANCELLED",
    "killed, Uncertain, CANCELLED",
    "killed, Succeeded, CANCELLED",
    // a free string: unknown values are UNKNOWN (never terminal), case does not matter
    "SUCCESS, Succeeded, SUCCEEDED",
    "Running, Uncertain, RUNNING",
    "waiting_for_capacity, Uncertain, UNKNOWN",
    ", , UNKNOWN",
  })
  void mapsStateAndResult(String state, String result, RunState expected) {
    assertThat(LivyStates.map(state, result)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "success, true",
    "dead, true",
    "error, true",
    "killed, true",
    "running, false",
    "shutting_down, false",
    "x, false"
  })
  void terminalStates(String state, boolean terminal) {
    assertThat(LivyStates.isTerminal(state)).isEqualTo(terminal);
  }
}
