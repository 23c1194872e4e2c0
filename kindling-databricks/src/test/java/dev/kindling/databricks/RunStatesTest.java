package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.run.RunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every documented Databricks state maps as platform-apis.md §1 says; unknown ones never throw. */
class RunStatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode legacy(String lifeCycle, String result) {
    ObjectNode run = JSON.createObjectNode();
    ObjectNode state = run.putObject("state");
    state.put("life_cycle_state", lifeCycle);
    if (!result.isEmpty()) {
      state.put("result_state", result);
    }
    state.put("state_message", "legacy says");
    return run;
  }

  private static JsonNode v2(String state, String code, String legacyLife, String legacyResult) {
    ObjectNode run = (ObjectNode) legacy(legacyLife, legacyResult);
    ObjectNode status = run.putObject("status");
    status.put("state", state);
    if (!code.isEmpty()) {
      ObjectNode d = status.putObject("termination_details");
      d.put("code", code);
      d.put("type", "CLIENT_ERROR");
      d.put("message", "status says");
    }
    return run;
  }

  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource({
    "QUEUED,,QUEUED",
    "PENDING,,PENDING",
    "BLOCKED,,PENDING",
    "WAITING_FOR_RETRY,,PENDING",
    "RUNNING,,RUNNING",
    "TERMINATING,,RUNNING",
    "TERMINATED,SUCCESS,SUCCEEDED",
    "TERMINATED,SUCCESS_WITH_FAILURES,SUCCEEDED",
    "TERMINATED,FAILED,FAILED",
    "TERMINATED,TIMEDOUT,TIMED_OUT",
    "TERMINATED,CANCELED,CANCELLED",
    "TERMINATED,UPSTREAM_FAILED,SKIPPED",
    "TERMINATED,UPSTREAM_CANCELED,SKIPPED",
    "TERMINATED,EXCLUDED,SKIPPED",
    "TERMINATED,DISABLED,SKIPPED",
    "TERMINATED,MAXIMUM_CONCURRENT_RUNS_REACHED,SKIPPED",
    "TERMINATED,,UNKNOWN",
    "TERMINATED,SOMETHING_NEW,UNKNOWN",
    "SKIPPED,,SKIPPED",
    "INTERNAL_ERROR,,FAILED",
    "HIBERNATING,,UNKNOWN",
    ",,UNKNOWN"
  })
  void legacyStates(String lifeCycle, String result, RunState expected) {
    RunStates.Mapped m =
        RunStates.map(legacy(lifeCycle == null ? "" : lifeCycle, result == null ? "" : result));
    assertThat(m.state()).isEqualTo(expected);
    if (lifeCycle != null) {
      assertThat(m.platformState()).startsWith(lifeCycle);
    }
  }

  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource({
    "QUEUED,,QUEUED",
    "PENDING,,PENDING",
    "BLOCKED,,PENDING",
    "WAITING,,PENDING",
    "RUNNING,,RUNNING",
    "TERMINATING,,RUNNING",
    "TERMINATED,SUCCESS,SUCCEEDED",
    "TERMINATED,SUCCESS_WITH_FAILURES,SUCCEEDED",
    "TERMINATED,USER_CANCELED,CANCELLED",
    "TERMINATED,CANCELED,CANCELLED",
    "TERMINATED,SKIPPED,SKIPPED",
    "TERMINATED,DISABLED,SKIPPED",
    "TERMINATED,MAX_CONCURRENT_RUNS_EXCEEDED,SKIPPED",
    "TERMINATED,MAX_JOB_QUEUE_SIZE_EXCEEDED,SKIPPED",
    "TERMINATED,INTERNAL_ERROR,FAILED",
    "TERMINATED,DRIVER_ERROR,FAILED",
    "TERMINATED,CLUSTER_ERROR,FAILED",
    "TERMINATED,REPOSITORY_CHECKOUT_FAILED,FAILED",
    "TERMINATED,INVALID_CLUSTER_REQUEST,FAILED",
    "TERMINATED,WORKSPACE_RUN_LIMIT_EXCEEDED,FAILED",
    "TERMINATED,FEATURE_DISABLED,FAILED",
    "TERMINATED,CLUSTER_REQUEST_LIMIT_EXCEEDED,FAILED",
    "TERMINATED,STORAGE_ACCESS_ERROR,FAILED",
    "TERMINATED,RUN_EXECUTION_ERROR,FAILED",
    "TERMINATED,UNAUTHORIZED_ERROR,FAILED",
    "TERMINATED,LIBRARY_INSTALLATION_ERROR,FAILED",
    "TERMINATED,MAX_SPARK_CONTEXTS_EXCEEDED,FAILED",
    "TERMINATED,RESOURCE_NOT_FOUND,FAILED",
    "TERMINATED,INVALID_RUN_CONFIGURATION,FAILED",
    "TERMINATED,CLOUD_FAILURE,FAILED",
    "TERMINATED,BUDGET_POLICY_LIMIT_EXCEEDED,FAILED",
    "TERMINATED,BREAKING_CHANGE,FAILED",
    "TERMINATED,CLUSTER_TERMINATED_BY_USER,FAILED",
    "TERMINATED,A_CODE_FROM_THE_FUTURE,FAILED"
  })
  void statusStates(String state, String code, RunState expected) {
    // the legacy state disagrees on purpose: status wins when Databricks sends it
    RunStates.Mapped m = RunStates.map(v2(state, code == null ? "" : code, "PENDING", ""));
    assertThat(m.state()).isEqualTo(expected);
  }

  @Test
  void aTimeoutIsToldApartByTheLegacyResultState() {
    RunStates.Mapped m =
        RunStates.map(v2("TERMINATED", "RUN_EXECUTION_ERROR", "TERMINATED", "TIMEDOUT"));
    assertThat(m.state()).isEqualTo(RunState.TIMED_OUT);
  }

  @Test
  void anUnknownStatusStateFallsBackToTheLegacyState() {
    RunStates.Mapped m = RunStates.map(v2("DREAMING", "", "RUNNING", ""));
    assertThat(m.state()).isEqualTo(RunState.RUNNING);
  }

  @Test
  void unknownEverywhereIsUnknownAndKeepsTheValueVerbatim() {
    RunStates.Mapped m = RunStates.map(v2("DREAMING", "", "NAPPING", ""));
    assertThat(m.state()).isEqualTo(RunState.UNKNOWN);
    assertThat(m.platformState()).isEqualTo("NAPPING");
  }

  @Test
  void platformStateAndMessageComeFromStatusWhenPresent() {
    RunStates.Mapped m = RunStates.map(v2("TERMINATED", "USER_CANCELED", "TERMINATED", "CANCELED"));
    assertThat(m.platformState()).isEqualTo("TERMINATED/USER_CANCELED");
    assertThat(m.message()).contains("status says");
    RunStates.Mapped legacy = RunStates.map(legacy("TERMINATED", "FAILED"));
    assertThat(legacy.platformState()).isEqualTo("TERMINATED/FAILED");
    assertThat(legacy.message()).contains("legacy says");
  }
}
