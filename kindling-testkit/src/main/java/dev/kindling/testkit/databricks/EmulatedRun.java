package dev.kindling.testkit.databricks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.testkit.emulator.EmulatedDriver;
import java.util.List;
import java.util.Set;

/**
 * One job run of the Databricks emulator and its single task run. Mutable; the emulator guards it
 * with its lock. Renders itself as the Jobs API's {@code Run} JSON, legacy {@code state} and newer
 * {@code status} both.
 */
final class EmulatedRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> ACTIVE =
      Set.of("PENDING", "RUNNING", "TERMINATING", "WAITING_FOR_RETRY");
  static final Set<String> TERMINAL = Set.of("TERMINATED", "SKIPPED", "INTERNAL_ERROR");

  final long runId;
  long taskRunId;
  final long jobId;
  final long numberInJob;
  final String jobName;
  final ObjectNode task;
  final List<String> pythonParams;
  final List<String> jarParams;
  final long submitTime;
  final String baseUrl;
  final long timeoutSeconds;

  /** How the run was started: {@code ONE_TIME} (run-now) or {@code PERIODIC} (its schedule). */
  volatile String trigger = "ONE_TIME";

  String lifeCycle = "QUEUED";
  String result;
  String stateMessage = "";
  String terminationCode;
  String terminationType;
  String queueReason;
  boolean cancelRequested;
  boolean timedOut;
  long startTime;
  long runningTime;
  long endTime;
  EmulatedDriver driver;
  Integer exitCode;
  String launchError;

  /** The attempt of the task: 0, then 1, 2, ... for each retry. */
  int attempt;

  /** Values for {@code {{job.parameters.NAME}}} references in the task's parameters. */
  java.util.Map<String, String> jobParameters = java.util.Map.of();

  /** The multi-task run this task run belongs to; null for a single-task job run. */
  EmulatedGraphRun graph;

  EmulatedRun(
      long runId,
      long taskRunId,
      long jobId,
      long numberInJob,
      String jobName,
      ObjectNode task,
      List<String> pythonParams,
      List<String> jarParams,
      long submitTime,
      String baseUrl,
      long timeoutSeconds) {
    this.runId = runId;
    this.taskRunId = taskRunId;
    this.jobId = jobId;
    this.numberInJob = numberInJob;
    this.jobName = jobName;
    this.task = task;
    this.pythonParams = pythonParams;
    this.jarParams = jarParams;
    this.submitTime = submitTime;
    this.baseUrl = baseUrl;
    this.timeoutSeconds = timeoutSeconds;
  }

  boolean isActive() {
    return ACTIVE.contains(lifeCycle);
  }

  boolean isTerminal() {
    return TERMINAL.contains(lifeCycle);
  }

  /** The job run, as {@code runs/get} returns it. */
  ObjectNode toJson() {
    ObjectNode n = common(runId);
    n.put("number_in_job", numberInJob);
    n.put("original_attempt_run_id", runId);
    n.put("run_name", jobName);
    n.put("run_type", "JOB_RUN");
    n.put("trigger", trigger);
    n.put("format", "MULTI_TASK");
    long queueEnd = startTime > 0 ? startTime : (isTerminal() ? endTime : 0);
    n.put("queue_duration", queueEnd > 0 ? queueEnd - submitTime : 0);
    ArrayNode tasks = n.putArray("tasks");
    ObjectNode t = common(taskRunId);
    t.setAll(taskDefinition());
    t.put("attempt_number", attempt);
    tasks.add(t);
    if (pythonParams != null || jarParams != null) {
      ObjectNode over = n.putObject("overriding_parameters");
      if (pythonParams != null) {
        pythonParams.forEach(over.putArray("python_params")::add);
      }
      if (jarParams != null) {
        jarParams.forEach(over.putArray("jar_params")::add);
      }
    }
    return n;
  }

  /** The task run as an entry of its multi-task job run's {@code tasks}. */
  ObjectNode taskEntry() {
    ObjectNode t = common(taskRunId);
    t.setAll(taskDefinition());
    t.put("attempt_number", attempt);
    return t;
  }

  /** The task run, as {@code runs/get-output} returns it in {@code metadata}. */
  ObjectNode taskJson() {
    ObjectNode t = common(taskRunId);
    t.put("run_name", task.path("task_key").asText());
    t.put("run_type", "JOB_RUN");
    t.setAll(taskDefinition());
    return t;
  }

  private ObjectNode taskDefinition() {
    ObjectNode d = JSON.createObjectNode();
    for (String f :
        List.of(
            "task_key",
            "existing_cluster_id",
            "new_cluster",
            "job_cluster_key",
            "spark_python_task",
            "spark_jar_task",
            "python_wheel_task",
            "libraries",
            "timeout_seconds",
            "depends_on",
            "run_if",
            "max_retries",
            "min_retry_interval_millis",
            "retry_on_timeout")) {
      JsonNode v = task.get(f);
      if (v != null) {
        d.set(f, v.deepCopy());
      }
    }
    return d;
  }

  private ObjectNode common(long id) {
    ObjectNode n = JSON.createObjectNode();
    n.put("job_id", jobId);
    n.put("run_id", id);
    n.put("creator_user_name", DatabricksEmulator.USER);
    n.put("run_page_url", baseUrl + "/jobs/" + jobId + "/runs/" + id);
    n.put("attempt_number", 0);
    n.put("start_time", startTime);
    n.put("end_time", isTerminal() ? endTime : 0);
    long setupEnd = runningTime > 0 ? runningTime : (isTerminal() ? endTime : 0);
    n.put("setup_duration", startTime > 0 && setupEnd > 0 ? setupEnd - startTime : 0);
    n.put(
        "execution_duration",
        runningTime > 0 && isTerminal() ? Math.max(0, endTime - runningTime) : 0);
    n.put("cleanup_duration", 0);
    n.put("run_duration", isTerminal() && startTime > 0 ? endTime - startTime : 0);
    if (runningTime > 0) {
      ObjectNode ci = n.putObject("cluster_instance");
      ci.put("cluster_id", clusterId());
      ci.put("spark_context_id", Long.toString(8_000_000_000_000_000_000L + runId));
    }
    ObjectNode state = n.putObject("state");
    state.put("life_cycle_state", lifeCycle);
    if (result != null && isTerminal()) {
      state.put("result_state", result);
    }
    state.put("state_message", stateMessage);
    state.put("user_cancelled_or_timedout", cancelRequested || timedOut);
    if (queueReason != null && lifeCycle.equals("QUEUED")) {
      state.put("queue_reason", queueReason);
    }
    n.set("status", status());
    return n;
  }

  private ObjectNode status() {
    ObjectNode s = JSON.createObjectNode();
    switch (lifeCycle) {
      case "SKIPPED", "INTERNAL_ERROR", "TERMINATED" -> {
        s.put("state", "TERMINATED");
        ObjectNode d = s.putObject("termination_details");
        d.put("code", terminationCode);
        d.put("type", terminationType);
        d.put("message", stateMessage);
      }
      default -> {
        s.put("state", lifeCycle);
        if (lifeCycle.equals("QUEUED") && queueReason != null) {
          ObjectNode q = s.putObject("queue_details");
          q.put("code", "MAX_CONCURRENT_RUNS_REACHED");
          q.put("message", queueReason);
        }
      }
    }
    return s;
  }

  String clusterId() {
    String existing = task.path("existing_cluster_id").asText("");
    return existing.isEmpty() ? "emulated-job-cluster-" + runId : existing;
  }
}
