package dev.kindling.testkit.databricks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job run of a multi-task job: its task runs, started as their {@code depends_on} end and their
 * {@code run_if} holds (platform-apis.md section 3.10). Mutable; the emulator guards it with its
 * lock.
 */
final class EmulatedGraphRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  final long runId;
  final long jobId;
  final long numberInJob;
  final String jobName;
  final long submitTime;
  final String baseUrl;
  final Map<String, String> jobParameters;
  final List<EmulatedRun> tasks = new ArrayList<>();

  String lifeCycle = "PENDING";
  String result;
  String terminationCode;
  String stateMessage = "";
  boolean cancelRequested;
  long startTime;
  long endTime;

  EmulatedGraphRun(
      long runId,
      long jobId,
      long numberInJob,
      String jobName,
      long submitTime,
      String baseUrl,
      Map<String, String> jobParameters) {
    this.runId = runId;
    this.jobId = jobId;
    this.numberInJob = numberInJob;
    this.jobName = jobName;
    this.submitTime = submitTime;
    this.baseUrl = baseUrl;
    this.jobParameters = Map.copyOf(jobParameters);
  }

  boolean isTerminal() {
    return lifeCycle.equals("TERMINATED");
  }

  Optional<EmulatedRun> task(String key) {
    return tasks.stream().filter(t -> t.task.path("task_key").asText().equals(key)).findFirst();
  }

  /** A task run that will not change any more: terminal, and not waiting to be retried. */
  static boolean isFinal(EmulatedRun t) {
    return t.isTerminal();
  }

  /** How a dependency ended, for run_if: 1 succeeded, -1 failed, 0 otherwise. */
  static int outcome(EmulatedRun t) {
    String r = t.result == null ? "" : t.result;
    return switch (r) {
      case "SUCCESS", "SUCCESS_WITH_FAILURES" -> 1;
      case "FAILED", "TIMEDOUT", "UPSTREAM_FAILED" -> -1;
      default -> 0;
    };
  }

  static List<String> dependsOn(EmulatedRun t) {
    List<String> out = new ArrayList<>();
    for (JsonNode d : t.task.path("depends_on")) {
      out.add(d.path("task_key").asText());
    }
    return out;
  }

  /** True when a task of this job depends on {@code key}. */
  boolean hasDependents(String key) {
    return tasks.stream().anyMatch(t -> dependsOn(t).contains(key));
  }

  /** Runs/get's view of the job run. */
  ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("job_id", jobId);
    n.put("run_id", runId);
    n.put("number_in_job", numberInJob);
    n.put("original_attempt_run_id", runId);
    n.put("creator_user_name", DatabricksEmulator.USER);
    n.put("run_name", jobName);
    n.put("run_page_url", baseUrl + "/jobs/" + jobId + "/runs/" + runId);
    n.put("run_type", "JOB_RUN");
    n.put("trigger", "ONE_TIME");
    n.put("format", "MULTI_TASK");
    n.put("attempt_number", 0);
    n.put("start_time", startTime);
    n.put("end_time", isTerminal() ? endTime : 0);
    n.put("run_duration", isTerminal() && startTime > 0 ? endTime - startTime : 0);
    ObjectNode state = n.putObject("state");
    state.put("life_cycle_state", lifeCycle);
    if (result != null && isTerminal()) {
      state.put("result_state", result);
    }
    state.put("state_message", stateMessage);
    state.put("user_cancelled_or_timedout", cancelRequested);
    ObjectNode status = n.putObject("status");
    status.put("state", lifeCycle);
    if (isTerminal()) {
      ObjectNode d = status.putObject("termination_details");
      d.put("code", terminationCode);
      d.put("type", "FAILED".equals(result) ? "CLIENT_ERROR" : "SUCCESS");
      d.put("message", stateMessage);
    }
    ArrayNode params = n.putArray("job_parameters");
    jobParameters.forEach((k, v) -> params.addObject().put("name", k).put("value", v));
    ArrayNode out = n.putArray("tasks");
    tasks.forEach(t -> out.add(t.taskEntry()));
    return n;
  }
}
