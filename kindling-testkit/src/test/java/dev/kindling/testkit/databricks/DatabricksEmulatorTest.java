package dev.kindling.testkit.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's protocol, spoken over raw HTTP as platform-apis.md §3 and §7 describe it. */
class DatabricksEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  private DatabricksEmulator emulator;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() {
    emulator =
        DatabricksEmulator.start(EmulatorOptions.in(data))
            .timings(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(50));
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private record Answer(int status, JsonNode json) {}

  private Answer call(String method, String path, Object body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  private Answer call(String method, String path, Object body) throws Exception {
    return call(method, path, body, emulator.token());
  }

  private long pythonJob(String version, String code, Map<String, Object> extra) throws Exception {
    Path script = emulator.dbfsDir().resolve("jobs/" + Math.abs(code.hashCode()) + ".py");
    Files.createDirectories(script.getParent());
    Files.writeString(script, code);
    Map<String, Object> settings =
        new java.util.LinkedHashMap<>(
            Map.of(
                "name",
                "emulated",
                "tasks",
                List.of(
                    Map.of(
                        "task_key",
                        "main",
                        "existing_cluster_id",
                        "c1",
                        "spark_python_task",
                        Map.of(
                            "python_file",
                            "dbfs:/jobs/" + script.getFileName(),
                            "parameters",
                            List.of("a", "b"))))));
    settings.putAll(extra);
    return call("POST", "/api/" + version + "/jobs/create", settings).json().get("job_id").asLong();
  }

  private JsonNode awaitTerminated(long runId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode run = call("GET", "/api/2.2/jobs/runs/get?run_id=" + runId, null).json();
      if (run.path("status").path("state").asText().equals("TERMINATED")) {
        return run;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("run " + runId + " did not end");
  }

  @Test
  void credentialsAreCheckedAndErrorsHaveDatabricksShape() throws Exception {
    assertThat(call("GET", "/api/2.2/jobs/list", null, null).status()).isEqualTo(401);
    Answer wrong = call("GET", "/api/2.2/jobs/list", null, "nope");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.json().get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(call("GET", "/.well-known/databricks-config", null, null).status()).isEqualTo(404);

    Answer missingRun = call("GET", "/api/2.2/jobs/runs/get?run_id=42", null);
    assertThat(missingRun.status()).isEqualTo(400);
    assertThat(missingRun.json().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    assertThat(missingRun.json().get("message").asText()).isEqualTo("Run 42 does not exist.");
    Answer missingJob = call("GET", "/api/2.1/jobs/get?job_id=7", null);
    assertThat(missingJob.status()).isEqualTo(400);
    assertThat(missingJob.json().get("message").asText()).isEqualTo("Job 7 does not exist.");
  }

  @Test
  void aRunGoesThroughTheStatesRunsForRealAndOutputNeedsTheTaskRunId() throws Exception {
    // Queued long enough that the first look sees it queued even on a loaded machine.
    emulator.timings(Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(50));
    long job = pythonJob("2.1", "import sys\nprint('args', sys.argv[1:])\n", Map.of());
    assertThat(job).isGreaterThan(1L << 32);
    JsonNode started =
        call(
                "POST",
                "/api/2.1/jobs/run-now",
                Map.of("job_id", job, "idempotency_token", "tok-1", "python_params", List.of("x")))
            .json();
    long runId = started.get("run_id").asLong();
    assertThat(started.get("number_in_job").asLong()).isEqualTo(1);
    JsonNode again =
        call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", job, "idempotency_token", "tok-1"))
            .json();
    assertThat(again.get("run_id").asLong()).isEqualTo(runId);

    JsonNode first = call("GET", "/api/2.2/jobs/runs/get?run_id=" + runId, null).json();
    assertThat(first.path("state").path("life_cycle_state").asText()).isIn("QUEUED", "PENDING");
    assertThat(first.path("state").has("result_state")).isFalse();
    JsonNode end = awaitTerminated(runId);
    assertThat(end.path("state").path("result_state").asText()).isEqualTo("SUCCESS");
    assertThat(end.path("status").path("termination_details").path("code").asText())
        .isEqualTo("SUCCESS");
    assertThat(end.path("end_time").asLong())
        .isGreaterThanOrEqualTo(end.path("start_time").asLong());

    Answer parent = call("GET", "/api/2.2/jobs/runs/get-output?run_id=" + runId, null);
    assertThat(parent.status()).isEqualTo(400);
    assertThat(parent.json().get("message").asText()).contains("multiple tasks is not supported");
    long task = end.path("tasks").get(0).path("run_id").asLong();
    JsonNode output = call("GET", "/api/2.2/jobs/runs/get-output?run_id=" + task, null).json();
    assertThat(output.get("logs").asText()).contains("args ['x']");
    assertThat(output.get("metadata").get("run_id").asLong()).isEqualTo(task);

    // cancel of a finished run is a no-op
    assertThat(call("POST", "/api/2.2/jobs/runs/cancel", Map.of("run_id", runId)).status())
        .isEqualTo(200);
    assertThat(awaitTerminated(runId).path("state").path("result_state").asText())
        .isEqualTo("SUCCESS");
  }

  @Test
  void aFailingAppFailsWithItsTraceback() throws Exception {
    long job = pythonJob("2.2", "raise KeyError('missing thing')\n", Map.of());
    long runId =
        call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", job)).json().get("run_id").asLong();
    JsonNode end = awaitTerminated(runId);
    assertThat(end.path("state").path("result_state").asText()).isEqualTo("FAILED");
    long task = end.path("tasks").get(0).path("run_id").asLong();
    JsonNode output = call("GET", "/api/2.2/jobs/runs/get-output?run_id=" + task, null).json();
    assertThat(output.get("error").asText()).isEqualTo("KeyError: 'missing thing'");
    assertThat(output.get("error_trace").asText()).startsWith("Traceback");
  }

  @Test
  void runsQueueAtMaxConcurrentRunsOrAreSkippedWithoutAQueue() throws Exception {
    String sleepy = "import time\ntime.sleep(600)\n";
    long queued = pythonJob("2.2", sleepy, Map.of("max_concurrent_runs", 1));
    long first =
        call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", queued))
            .json()
            .get("run_id")
            .asLong();
    long second =
        call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", queued))
            .json()
            .get("run_id")
            .asLong();
    Thread.sleep(400);
    JsonNode waiting = call("GET", "/api/2.2/jobs/runs/get?run_id=" + second, null).json();
    assertThat(waiting.path("status").path("state").asText()).isEqualTo("QUEUED");
    assertThat(waiting.path("status").path("queue_details").path("code").asText())
        .isEqualTo("MAX_CONCURRENT_RUNS_REACHED");

    // cancel is asynchronous and idempotent; the queued run starts once the first is gone
    call("POST", "/api/2.2/jobs/runs/cancel", Map.of("run_id", first));
    call("POST", "/api/2.2/jobs/runs/cancel", Map.of("run_id", first));
    JsonNode cancelled = awaitTerminated(first);
    assertThat(cancelled.path("state").path("result_state").asText()).isEqualTo("CANCELED");
    assertThat(cancelled.path("status").path("termination_details").path("code").asText())
        .isEqualTo("USER_CANCELED");
    call("POST", "/api/2.2/jobs/runs/cancel", Map.of("run_id", second));
    awaitTerminated(second);

    long noQueue = pythonJob("2.1", sleepy + "# no queue\n", Map.of("max_concurrent_runs", 1));
    long a =
        call("POST", "/api/2.1/jobs/run-now", Map.of("job_id", noQueue))
            .json()
            .get("run_id")
            .asLong();
    Thread.sleep(200);
    long b =
        call("POST", "/api/2.1/jobs/run-now", Map.of("job_id", noQueue))
            .json()
            .get("run_id")
            .asLong();
    JsonNode skipped = awaitTerminated(b);
    assertThat(skipped.path("state").path("life_cycle_state").asText()).isEqualTo("SKIPPED");
    assertThat(skipped.path("status").path("termination_details").path("code").asText())
        .isEqualTo("MAX_CONCURRENT_RUNS_EXCEEDED");
    call("POST", "/api/2.1/jobs/runs/cancel", Map.of("run_id", a));
    awaitTerminated(a);
  }

  @Test
  void jobListsPageAndFilterByName() throws Exception {
    for (int i = 0; i < 5; i++) {
      call("POST", "/api/2.2/jobs/create", Map.of("name", i % 2 == 0 ? "Even" : "odd"));
    }
    JsonNode page1 = call("GET", "/api/2.2/jobs/list?limit=2", null).json();
    assertThat(page1.get("jobs")).hasSize(2);
    assertThat(page1.get("has_more").asBoolean()).isTrue();
    JsonNode page2 =
        call(
                "GET",
                "/api/2.2/jobs/list?limit=2&page_token=" + page1.get("next_page_token").asText(),
                null)
            .json();
    assertThat(page2.get("jobs").get(0).get("job_id").asLong())
        .isGreaterThan(page1.get("jobs").get(1).get("job_id").asLong());
    JsonNode even = call("GET", "/api/2.2/jobs/list?name=even", null).json();
    assertThat(even.get("jobs")).hasSize(3);
    assertThat(call("GET", "/api/2.2/jobs/list?limit=101", null).status()).isEqualTo(400);
    assertThat(call("GET", "/api/2.2/jobs/list?name=none", null).json().has("jobs")).isFalse();
  }

  @Test
  void dbfsBlocksAreLimitedToOneMegabyteAndFilesAppearOnClose() throws Exception {
    long handle =
        call("POST", "/api/2.0/dbfs/create", Map.of("path", "dbfs:/x/y.bin"))
            .json()
            .get("handle")
            .asLong();
    String tooBig = Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]);
    Answer big = call("POST", "/api/2.0/dbfs/add-block", Map.of("handle", handle, "data", tooBig));
    assertThat(big.status()).isEqualTo(400);
    assertThat(big.json().get("error_code").asText()).isEqualTo("MAX_BLOCK_SIZE_EXCEEDED");
    String ok = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
    call("POST", "/api/2.0/dbfs/add-block", Map.of("handle", handle, "data", ok));
    assertThat(call("GET", "/api/2.0/dbfs/get-status?path=/x/y.bin", null).status()).isEqualTo(404);
    call("POST", "/api/2.0/dbfs/close", Map.of("handle", handle));
    JsonNode status = call("GET", "/api/2.0/dbfs/get-status?path=dbfs:/x/y.bin", null).json();
    assertThat(status.get("file_size").asLong()).isEqualTo(5);
    assertThat(
            call("POST", "/api/2.0/dbfs/add-block", Map.of("handle", handle, "data", ok))
                .json()
                .get("error_code")
                .asText())
        .isEqualTo("RESOURCE_DOES_NOT_EXIST");
    Answer exists = call("POST", "/api/2.0/dbfs/create", Map.of("path", "/x/y.bin"));
    assertThat(exists.json().get("error_code").asText()).isEqualTo("RESOURCE_ALREADY_EXISTS");
    JsonNode read = call("GET", "/api/2.0/dbfs/read?path=/x/y.bin&offset=1&length=3", null).json();
    assertThat(
            new String(
                Base64.getDecoder().decode(read.get("data").asText()), StandardCharsets.UTF_8))
        .isEqualTo("ell");
  }

  @Test
  void workspaceImportStoresDecodedFiles() throws Exception {
    call("POST", "/api/2.0/workspace/mkdirs", Map.of("path", "/Workspace/Users/me/app"));
    String content =
        Base64.getEncoder().encodeToString("print(1)\n".getBytes(StandardCharsets.UTF_8));
    Answer imported =
        call(
            "POST",
            "/api/2.0/workspace/import",
            Map.of(
                "path", "/Workspace/Users/me/app/main.py", "format", "AUTO", "content", content));
    assertThat(imported.status()).isEqualTo(200);
    JsonNode status =
        call("GET", "/api/2.0/workspace/get-status?path=/Workspace/Users/me/app/main.py", null)
            .json();
    assertThat(status.get("object_type").asText()).isEqualTo("FILE");
    Answer again =
        call(
            "POST",
            "/api/2.0/workspace/import",
            Map.of(
                "path", "/Workspace/Users/me/app/main.py", "format", "AUTO", "content", content));
    assertThat(again.json().get("error_code").asText()).isEqualTo("RESOURCE_ALREADY_EXISTS");
  }

  private static Map<String, Object> task(String key, List<String> deps) {
    Map<String, Object> t = new java.util.LinkedHashMap<>();
    t.put("task_key", key);
    t.put("existing_cluster_id", DatabricksEmulator.CLUSTER_ID);
    t.put("spark_python_task", Map.of("python_file", "dbfs:/x.py"));
    t.put("depends_on", deps.stream().map(d -> Map.of("task_key", d)).toList());
    return t;
  }

  @Test
  void multiTaskJobsWithACycleOrAnUnknownDependencyAreRejected() throws Exception {
    Answer cycle =
        call(
            "POST",
            "/api/2.2/jobs/create",
            Map.of(
                "name", "g", "tasks", List.of(task("a", List.of("b")), task("b", List.of("a")))));
    Answer unknown =
        call(
            "POST",
            "/api/2.2/jobs/create",
            Map.of("name", "g", "tasks", List.of(task("a", List.of("ghost")))));
    Answer badRunIf =
        call(
            "POST",
            "/api/2.2/jobs/create",
            Map.of(
                "name",
                "g",
                "tasks",
                List.of(
                    new java.util.LinkedHashMap<>(
                        Map.of(
                            "task_key",
                            "a",
                            "existing_cluster_id",
                            "c",
                            "spark_python_task",
                            Map.of("python_file", "dbfs:/x.py"),
                            "run_if",
                            "SOMETIMES")))));

    assertThat(cycle.status()).isEqualTo(400);
    assertThat(cycle.json().path("message").asText()).contains("cycle");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("message").asText()).contains("ghost");
    assertThat(badRunIf.status()).isEqualTo(400);
    assertThat(badRunIf.json().path("message").asText()).contains("run_if");
  }

  @Test
  void aMultiTaskRunReportsEachTaskAndRunsThemInDependencyOrder() throws Exception {
    Path script = emulator.dbfsDir().resolve("graph/ok.py");
    Files.createDirectories(script.getParent());
    Files.writeString(script, "print('ok')\n");
    Map<String, Object> a = task("a", List.of());
    Map<String, Object> b = task("b", List.of("a"));
    Map<String, Object> c = task("c", List.of("a"));
    Map<String, Object> d = task("d", List.of("b", "c"));
    for (Map<String, Object> t : List.of(a, b, c, d)) {
      t.put("spark_python_task", Map.of("python_file", "dbfs:/graph/ok.py"));
    }
    long job =
        call(
                "POST",
                "/api/2.2/jobs/create",
                Map.of("name", "diamond", "tasks", List.of(a, b, c, d)))
            .json()
            .path("job_id")
            .asLong();
    long run =
        call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", job)).json().path("run_id").asLong();
    // runs/list shows the job run (not its task runs), among the active ones while it runs
    JsonNode active = call("GET", "/api/2.2/jobs/runs/list?active_only=true", null).json();
    assertThat(active.path("runs")).hasSize(1);
    assertThat(active.path("runs").get(0).path("run_id").asLong()).isEqualTo(run);
    assertThat(active.path("runs").get(0).has("tasks")).isFalse();

    JsonNode first = call("GET", "/api/2.2/jobs/runs/get?run_id=" + run, null).json();
    assertThat(first.path("tasks")).hasSize(4);
    assertThat(first.path("tasks").get(3).path("state").path("life_cycle_state").asText())
        .isEqualTo("BLOCKED");
    JsonNode end = awaitTerminated(run);
    assertThat(end.path("state").path("result_state").asText()).isEqualTo("SUCCESS");
    JsonNode listed =
        call("GET", "/api/2.2/jobs/runs/list?job_id=" + job + "&expand_tasks=true", null).json();
    assertThat(listed.path("runs")).hasSize(1);
    assertThat(listed.path("runs").get(0).path("tasks")).hasSize(4);
    assertThat(listed.path("runs").get(0).path("state").path("result_state").asText())
        .isEqualTo("SUCCESS");
    java.util.Map<String, JsonNode> byKey = new java.util.HashMap<>();
    end.path("tasks").forEach(t -> byKey.put(t.path("task_key").asText(), t));
    assertThat(byKey.values())
        .allSatisfy(
            t -> assertThat(t.path("state").path("result_state").asText()).isEqualTo("SUCCESS"));
    assertThat(byKey.get("d").path("start_time").asLong())
        .isGreaterThanOrEqualTo(byKey.get("b").path("end_time").asLong())
        .isGreaterThanOrEqualTo(byKey.get("c").path("end_time").asLong());
    assertThat(byKey.get("b").path("run_id").asLong())
        .isNotEqualTo(byKey.get("c").path("run_id").asLong());
    Answer parentOutput = call("GET", "/api/2.2/jobs/runs/get-output?run_id=" + run, null);
    assertThat(parentOutput.status()).isEqualTo(400);
    Answer taskOutput =
        call(
            "GET",
            "/api/2.2/jobs/runs/get-output?run_id=" + byKey.get("d").path("run_id").asLong(),
            null);
    assertThat(taskOutput.json().path("logs").asText()).contains("ok");
  }

  @Test
  void runsListPagesWithNextAndPreviousTokensAndFiltersActiveRuns() throws Exception {
    long job =
        call(
                "POST",
                "/api/2.2/jobs/create",
                Map.of(
                    "name",
                    "missing-file",
                    "tasks",
                    List.of(
                        Map.of(
                            "task_key",
                            "main",
                            "existing_cluster_id",
                            "c1",
                            "spark_python_task",
                            Map.of("python_file", "dbfs:/nowhere/none.py")))))
            .json()
            .path("job_id")
            .asLong();
    for (int i = 0; i < 3; i++) {
      call("POST", "/api/2.2/jobs/run-now", Map.of("job_id", job));
    }

    JsonNode first = call("GET", "/api/2.2/jobs/runs/list?job_id=" + job + "&limit=2", null).json();
    assertThat(first.path("runs")).hasSize(2);
    assertThat(first.path("has_more").asBoolean()).isTrue();
    assertThat(first.has("prev_page_token")).isFalse();
    JsonNode second =
        call(
                "GET",
                "/api/2.2/jobs/runs/list?job_id="
                    + job
                    + "&limit=2&page_token="
                    + first.path("next_page_token").asText(),
                null)
            .json();
    assertThat(second.path("runs")).hasSize(1);
    assertThat(second.path("has_more").asBoolean()).isFalse();
    assertThat(second.has("next_page_token")).isFalse();
    assertThat(second.path("prev_page_token").asText()).isNotEmpty();
    assertThat(first.path("runs").get(0).path("run_id").asLong())
        .isGreaterThan(first.path("runs").get(1).path("run_id").asLong())
        .isGreaterThan(second.path("runs").get(0).path("run_id").asLong());
    assertThat(call("GET", "/api/2.2/jobs/runs/list?limit=26", null).status()).isEqualTo(400);
  }
}
