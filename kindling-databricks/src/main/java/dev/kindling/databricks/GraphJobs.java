package dev.kindling.databricks;

import com.databricks.sdk.service.jobs.JobParameterDefinition;
import com.databricks.sdk.service.jobs.JobSettings;
import com.databricks.sdk.service.jobs.RunIf;
import com.databricks.sdk.service.jobs.SparkJarTask;
import com.databricks.sdk.service.jobs.SparkPythonTask;
import com.databricks.sdk.service.jobs.Task;
import com.databricks.sdk.service.jobs.TaskDependency;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.NativeGraphs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kindling job graphs as Databricks multi-task jobs: one task per graph task ({@code task_key} =
 * the task's name, {@code depends_on}, {@code run_if}, retries from its {@code retry}), each
 * running its own app release through the bootstrap shim. The run tag reaches every task as the job
 * parameter {@value #RUN_TAG_PARAM} ({@code {{job.parameters.kindling_run_tag}}} in its
 * parameters), so that each task's result lands under the run's tag.
 */
final class GraphJobs {
  /** The tag naming the graph a job runs. */
  static final String GRAPH_TAG = "kindling_graph";

  /** The job parameter carrying the run tag. */
  static final String RUN_TAG_PARAM = "kindling_run_tag";

  static final String RUN_TAG_REF = "{{job.parameters." + RUN_TAG_PARAM + "}}";

  private GraphJobs() {}

  /** True when the job is a Kindling graph job. */
  static boolean isGraph(JobSettings s) {
    return s != null && s.getTags() != null && s.getTags().containsKey(GRAPH_TAG);
  }

  /** Maps a retry policy onto a task: Databricks retries failed tasks at a fixed interval. */
  static void retry(Task task, Optional<RunRetry> retry) {
    if (retry.isEmpty() || retry.get().maxAttempts() <= 1) {
      task.setMaxRetries(0L);
      return;
    }
    RunRetry r = retry.get();
    task.setMaxRetries((long) r.maxAttempts() - 1)
        .setMinRetryIntervalMillis(r.initialBackoff().toMillis())
        .setRetryOnTimeout(r.on().contains(RunState.TIMED_OUT));
  }

  /** The graph task's Databricks task, from the single-task settings of its release. */
  static Task task(
      NativeGraphs.Task t, JobSettings single, String root, String release, boolean jvm) {
    Task task = single.getTasks().iterator().next();
    task.setTaskKey(t.name());
    if (!t.dependsOn().isEmpty()) {
      List<TaskDependency> deps = new ArrayList<>();
      t.dependsOn().forEach(d -> deps.add(new TaskDependency().setTaskKey(d)));
      task.setDependsOn(deps);
    }
    task.setRunIf(RunIf.valueOf(t.runIf().name()));
    List<String> tokens =
        ShimTokens.forRun(
            root, t.app().appName(), release, RUN_TAG_REF, t.config().parameters(), jvm);
    if (jvm) {
      SparkJarTask jar = task.getSparkJarTask();
      jar.setParameters(tokens);
    } else {
      SparkPythonTask py = task.getSparkPythonTask();
      py.setParameters(tokens);
    }
    return task;
  }

  /** The settings of the graph job. */
  static JobSettings settings(
      String graphName, List<Task> tasks, List<NativeGraphs.Task> graph, JobConfig defaults) {
    Map<String, String> tags = new LinkedHashMap<>(defaults.tags());
    graph.forEach(t -> tags.putAll(t.config().tags()));
    tags.put(JobSpecs.MARKER_TAG, JobSpecs.MARKER_VALUE);
    tags.put(JobSpecs.APP_TAG, graphName);
    tags.put(GRAPH_TAG, graphName);
    List<String> names = graph.stream().map(NativeGraphs.Task::name).toList();
    return new JobSettings()
        .setName(graphName)
        .setDescription("Kindling job graph " + graphName + ": " + String.join(", ", names))
        .setTags(tags)
        .setQueue(new com.databricks.sdk.service.jobs.QueueSettings().setEnabled(true))
        .setParameters(List.of(new JobParameterDefinition().setName(RUN_TAG_PARAM).setDefault("")))
        .setTasks(tasks);
  }

  /** Each task of a graph run, its latest attempt, from {@code runs/get}. */
  static List<NativeGraphs.TaskStatus> statuses(JsonNode run) {
    Map<String, JsonNode> latest = new LinkedHashMap<>();
    for (JsonNode t : run.path("tasks")) {
      String key = t.path("task_key").asText();
      JsonNode seen = latest.get(key);
      if (seen == null
          || t.path("attempt_number").asLong() >= seen.path("attempt_number").asLong()) {
        latest.put(key, t);
      }
    }
    List<NativeGraphs.TaskStatus> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : latest.entrySet()) {
      JsonNode t = e.getValue();
      RunStates.Mapped m = RunStates.map(t);
      String lifeCycle = t.path("state").path("life_cycle_state").asText("");
      String result = t.path("state").path("result_state").asText("");
      String shown =
          result.startsWith("UPSTREAM_") || result.equals("EXCLUDED")
              ? m.platformState() + " " + result
              : m.platformState();
      boolean ran =
          !lifeCycle.equals("BLOCKED")
              && !lifeCycle.equals("SKIPPED")
              && !result.startsWith("UPSTREAM_")
              && !result.equals("EXCLUDED");
      Optional<String> error =
          m.state() == RunState.SUCCEEDED || !m.state().isTerminal()
              ? Optional.empty()
              : m.message();
      JobStatus status =
          new JobStatus(
              t.path("run_id").asText(""),
              m.state(),
              shown,
              millis(t.path("start_time")),
              m.state().isTerminal() ? millis(t.path("end_time")) : Optional.empty(),
              error,
              Optional.ofNullable(t.path("run_page_url").asText(null)));
      out.add(
          new NativeGraphs.TaskStatus(
              e.getKey(), status, ran ? (int) t.path("attempt_number").asLong(0) + 1 : 0));
    }
    return out;
  }

  /** Why a graph run failed: the tasks that failed. */
  static Optional<String> failedTasks(JsonNode run) {
    List<String> failed = new ArrayList<>();
    for (NativeGraphs.TaskStatus s : statuses(run)) {
      if (s.status().state() == RunState.FAILED || s.status().state() == RunState.TIMED_OUT) {
        failed.add(s.task() + s.status().error().map(x -> " (" + x + ")").orElse(""));
      }
    }
    return failed.isEmpty()
        ? Optional.empty()
        : Optional.of("task(s) failed: " + String.join(", ", failed));
  }

  private static Optional<Instant> millis(JsonNode n) {
    long v = n == null ? 0 : n.asLong(0);
    return v > 0 ? Optional.of(Instant.ofEpochMilli(v)) : Optional.empty();
  }
}
