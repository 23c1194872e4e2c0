package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RemoteLayout;
import dev.kindling.core.deploy.RetriedRun;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.graph.GraphRun;
import dev.kindling.core.graph.GraphRunner;
import dev.kindling.core.graph.GraphTask;
import dev.kindling.core.graph.JobGraph;
import dev.kindling.core.graph.RunIf;
import dev.kindling.core.graph.TaskRun;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job graphs as one multi-task job, and native task retries, against the emulator over HTTP. */
class DatabricksGraphTest {
  @TempDir Path data;
  @TempDir Path apps;
  private DatabricksEmulator emulator;
  private DatabricksPlatformService service;
  private Kindling kindling;
  private DataAppDeployer deployer;

  @BeforeEach
  void start() {
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
    emulator.timings(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(10));
    service = EmulatedTargets.service(emulator, DatabricksEmulator.VOLUME_ARTIFACTS);
    kindling = Kindling.withPlatform(service, new DatabricksJobRules());
    deployer = kindling.deployer();
  }

  @AfterEach
  void stop() {
    kindling.close();
    emulator.close();
  }

  private Path app(String name, String code) throws IOException {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    return dir;
  }

  @Test
  void aGraphRunsAsOneMultiTaskJobHonouringDependsOnAndRunIf() throws IOException {
    Path ok = app("ok-app", "print('ok ran')\n");
    Path boom = app("boom-app", "raise RuntimeError('boom')\n");
    JobGraph graph =
        JobGraph.of(
            "nightly",
            t("a", ok),
            t("b", boom).dependsOn("a"),
            t("c", ok).dependsOn("a"),
            t("d", ok).dependsOn("b", "c"),
            t("alert", ok).dependsOn("b").runIf(RunIf.AT_LEAST_ONE_FAILED));

    GraphRun run = new GraphRunner(deployer).start(graph, Map.of(), Duration.ofMinutes(2));
    RunState end = run.await();

    assertThat(run.mode()).isEqualTo(GraphRun.Mode.NATIVE);
    assertThat(end).isEqualTo(RunState.FAILED);
    Map<String, TaskRun> tasks = new HashMap<>();
    run.tasks().forEach(t -> tasks.put(t.task(), t));
    assertThat(tasks.get("a").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(tasks.get("b").state()).isEqualTo(RunState.FAILED);
    assertThat(tasks.get("c").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(tasks.get("d").state()).isEqualTo(RunState.SKIPPED);
    assertThat(tasks.get("d").upstreamFailed()).isTrue();
    assertThat(tasks.get("d").attempts()).isEmpty();
    assertThat(tasks.get("alert").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(tasks.get("a").attempts()).hasSize(1);
    assertThat(kindling.deployer().getJobStatus(run.runId().orElseThrow()).error())
        .hasValueSatisfying(e -> assertThat(e).contains("task(s) failed: b"));

    // one job, five tasks with their dependencies and conditions
    assertThat(emulator.jobs()).hasSize(1);
    JsonNode settings = emulator.jobs().values().iterator().next();
    assertThat(settings.path("name").asText()).isEqualTo("nightly");
    JsonNode jobTasks = settings.path("tasks");
    assertThat(jobTasks).hasSize(5);
    JsonNode d = find(jobTasks, "d");
    assertThat(d.path("depends_on").findValuesAsText("task_key")).containsExactly("b", "c");
    assertThat(find(jobTasks, "alert").path("run_if").asText()).isEqualTo("AT_LEAST_ONE_FAILED");

    // a ended before b and c started; each task run has its own id
    long runId = Long.parseLong(run.runId().orElseThrow().split(":")[0]);
    JsonNode runJson = emulator.run(runId).orElseThrow();
    long aEnd = find(runJson.path("tasks"), "a").path("end_time").asLong();
    assertThat(find(runJson.path("tasks"), "b").path("start_time").asLong())
        .isGreaterThanOrEqualTo(aEnd);
    assertThat(find(runJson.path("tasks"), "c").path("start_time").asLong())
        .isGreaterThanOrEqualTo(aEnd);
    assertThat(find(runJson.path("tasks"), "d").path("state").path("result_state").asText())
        .isEqualTo("UPSTREAM_FAILED");
    assertThat(runJson.path("state").path("result_state").asText()).isEqualTo("FAILED");

    // the run tag reached every task through the job parameter: each wrote its result under it
    String tag = run.runId().orElseThrow().split(":")[1];
    try (InputStream in = service.store().read(RemoteLayout.resultPath("ok-app", tag))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains("\"run_tag\": \"" + tag + "\"")
          .contains("ok ran");
    }
  }

  @Test
  void aLeafThatSucceedsAfterAFailedTaskMakesTheJobSucceedWithFailuresButTheGraphFailed()
      throws IOException {
    Path ok = app("ok2", "print('ok')\n");
    Path boom = app("boom2", "raise SystemExit(3)\n");
    JobGraph graph =
        JobGraph.of(
            "cleanup", t("work", boom), t("cleanup", ok).dependsOn("work").runIf(RunIf.ALL_DONE));

    GraphRun run = new GraphRunner(deployer).start(graph, Map.of(), Duration.ofMinutes(2));

    assertThat(run.await()).isEqualTo(RunState.FAILED);
    assertThat(run.task("cleanup").state()).isEqualTo(RunState.SUCCEEDED);
    long runId = Long.parseLong(run.runId().orElseThrow().split(":")[0]);
    assertThat(emulator.run(runId).orElseThrow().path("state").path("result_state").asText())
        .isEqualTo("SUCCESS_WITH_FAILURES");
  }

  @Test
  void cancellingAGraphCancelsItsRunningTaskAndSkipsTheRest() throws IOException {
    Path slow = app("slow", "import time\ntime.sleep(60)\n");
    Path ok = app("ok3", "print('ok')\n");
    JobGraph graph = JobGraph.of("cancel-me", t("slow", slow), t("after", ok).dependsOn("slow"));
    GraphRun run = new GraphRunner(deployer).start(graph, Map.of(), Duration.ofMinutes(2));

    assertThat(run.cancel()).isTrue();

    assertThat(run.await()).isEqualTo(RunState.CANCELLED);
    assertThat(run.task("slow").state()).isEqualTo(RunState.CANCELLED);
    assertThat(run.task("after").state()).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("after").upstreamFailed()).isFalse();
  }

  @Test
  void aGraphRunTakesNoRunParametersOnDatabricks() throws IOException {
    Path ok = app("ok4", "print('ok')\n");
    JobGraph graph = JobGraph.of("params", t("a", ok));

    assertThatThrownBy(
            () ->
                new GraphRunner(deployer)
                    .start(graph, Map.of("day", "monday"), Duration.ofMinutes(1)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("takes no run parameters");
  }

  @Test
  void retryIsMappedOntoTaskRetriesAndTheEmulatorRetriesTheFailedAttempt() throws IOException {
    Path marker = apps.resolve("first-attempt-done");
    Path flaky =
        app(
            "flaky",
            "import os, sys\n"
                + "marker = [a.split('=', 1)[1] for a in sys.argv if a.startswith('config:marker=')][0]\n"
                + "if not os.path.exists(marker):\n"
                + "    open(marker, 'w').close()\n"
                + "    raise RuntimeError('first attempt fails')\n"
                + "print('second attempt works')\n");
    RunRetry retry =
        RunRetry.attempts(3, Duration.ofMillis(100)).on(RunState.FAILED, RunState.TIMED_OUT);
    DeploymentResult job =
        deployer.deployAsJob(
            flaky,
            JobConfig.builder()
                .clusterId(DatabricksEmulator.CLUSTER_ID)
                .parameter("marker", marker.toString())
                .retry(retry)
                .build());

    JsonNode task = emulator.jobs().get(Long.parseLong(job.jobId())).path("tasks").get(0);
    assertThat(task.path("max_retries").asLong()).isEqualTo(2);
    assertThat(task.path("min_retry_interval_millis").asLong()).isEqualTo(100);
    assertThat(task.path("retry_on_timeout").asBoolean()).isTrue();

    RetriedRun run = deployer.start(job.jobId(), Map.of(), retry, Duration.ofMinutes(2), s -> {});
    JobStatus end = run.await();

    assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.attempts()).hasSize(1); // Databricks retried, not Kindling
    long runId = Long.parseLong(run.runId().split(":")[0]);
    JsonNode runTask = emulator.run(runId).orElseThrow().path("tasks").get(0);
    assertThat(runTask.path("attempt_number").asInt()).isEqualTo(1);
    assertThat(Files.exists(marker)).isTrue();
    assertThat(deployer.logs(run.runId()).output()).contains("second attempt works");
  }

  private static GraphTask t(String name, Path app) {
    return GraphTask.of(name, app)
        .config(JobConfig.builder().clusterId(DatabricksEmulator.CLUSTER_ID).build());
  }

  private static JsonNode find(JsonNode tasks, String key) {
    for (JsonNode t : tasks) {
      if (t.path("task_key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError("no task " + key + " in " + tasks);
  }
}
