package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.service.jobs.CreateJob;
import com.databricks.sdk.service.jobs.SparkPythonTask;
import com.databricks.sdk.service.jobs.Task;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatedDriver;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databricks specifics, against the emulator over real HTTP. */
class DatabricksServiceTest {
  @TempDir Path data;
  @TempDir Path apps;
  private DatabricksEmulator emulator;
  private DatabricksPlatformService service;
  private Kindling kindling;
  private DataAppDeployer deployer;

  @BeforeEach
  void start() {
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
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

  private static String printArgs() {
    return "import sys\nprint('args:', ' '.join(a for a in sys.argv[1:] if 'greeting' in a))\n";
  }

  private DeploymentResult deploy(Path app, JobConfig.Builder config) {
    return deployer.deployAsJob(app, config.clusterId(DatabricksEmulator.CLUSTER_ID).build());
  }

  private WorkspaceClient sdk() {
    return new WorkspaceClients(
            EmulatedTargets.settings(emulator, DatabricksEmulator.VOLUME_ARTIFACTS))
        .get();
  }

  private long foreignJob(WorkspaceClient w, String name) {
    return w.jobs()
        .create(
            new CreateJob()
                .setName(name)
                .setTasks(
                    List.of(
                        new Task()
                            .setTaskKey("main")
                            .setExistingClusterId("c")
                            .setSparkPythonTask(
                                new SparkPythonTask().setPythonFile("dbfs:/x.py")))))
        .getJobId();
  }

  @Test
  void theSdkClientIsBuiltOnFirstUseAndItsDiscoveryRequestsAreAnswered() {
    assertThat(emulator.journal().isEmpty()).isTrue(); // a service alone makes no request

    service.listJobs();

    List<Journal.Entry> entries = emulator.journal().entries();
    int firstApi = 0;
    while (!entries.get(firstApi).path().startsWith("/api/")) {
      firstApi++;
    }
    assertThat(firstApi).as(emulator.journal().toString()).isBetween(1, 2);
    assertThat(entries.subList(0, firstApi))
        .allMatch(e -> e.method().equals("GET") && e.status() == 404);
    assertThat(entries.get(firstApi).path()).isEqualTo("/api/2.2/jobs/list");
    assertThat(entries.get(firstApi).headers().get("authorization")).isEqualTo("REDACTED");
  }

  @Test
  void aRedeployFindsItsJobAcrossPagesByNameAndTagAndLeavesOtherJobsAlone() throws IOException {
    WorkspaceClient w = sdk();
    List<Long> foreign = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      foreign.add(foreignJob(w, "shared-name")); // same name, not Kindling's: never reset
    }
    Path app = app("paged", printArgs());

    DeploymentResult first = deploy(app, JobConfig.builder().jobName("shared-name"));
    Files.writeString(app.resolve("more.py"), "X = 1\n");
    DeploymentResult second = deploy(app, JobConfig.builder().jobName("shared-name"));

    assertThat(second.jobId()).isEqualTo(first.jobId());
    assertThat(Long.parseLong(first.jobId())).isGreaterThan(1L << 32); // int64 all the way
    assertThat(emulator.journal().requests("POST", "/api/2\\.2/jobs/create")).hasSize(102);
    assertThat(emulator.journal().requests("POST", "/api/2\\.2/jobs/reset")).hasSize(1);
    assertThat(
            emulator.journal().requests("GET", "/api/2\\.2/jobs/list").stream()
                .filter(e -> e.query().contains("page_token")))
        .isNotEmpty();
    Map<Long, JsonNode> jobs = emulator.jobs();
    foreign.forEach(id -> assertThat(jobs.get(id).path("tags").isMissingNode()).isTrue());
    assertThat(service.listJobs()).extracting(JobInfo::name).containsExactly("shared-name");
    JobInfo info = service.listJobs().get(0);
    assertThat(info.attributes())
        .containsEntry("app", "paged")
        .containsEntry("release", second.release());
  }

  @Test
  void aRunCarriesItsTagAndParametersAndTheJobOnlyTheRelease() throws IOException {
    DeploymentResult d =
        deploy(
            app("params", printArgs()),
            JobConfig.builder().parameter("greeting", "default").parameter("mode", "batch"));

    String runId = service.runSparkJob(d.jobId(), Map.of("greeting", "from-the-run"));

    assertThat(runId).matches("\\d+:\\d{8}T\\d{6}Z-[0-9a-f]{8}");
    String tag = runId.substring(runId.indexOf(':') + 1);
    JsonNode job = emulator.jobs().get(Long.parseLong(d.jobId()));
    JsonNode task = job.path("tasks").get(0);
    assertThat(task.path("existing_cluster_id").asText()).isEqualTo(DatabricksEmulator.CLUSTER_ID);
    assertThat(job.path("tags").path("kindling").asText()).isEqualTo("managed");
    List<String> jobParams = texts(task.path("spark_python_task").path("parameters"));
    assertThat(jobParams)
        .contains("config:greeting=default", "config:mode=batch")
        .noneMatch(p -> p.startsWith("config:kindling.run_tag="));
    assertThat(task.path("spark_python_task").path("python_file").asText())
        .startsWith(DatabricksEmulator.VOLUME_ARTIFACTS + "/data-apps/params/blobs/")
        .endsWith("/kindling_bootstrap.py");
    JsonNode run =
        emulator.run(Long.parseLong(runId.substring(0, runId.indexOf(':')))).orElseThrow();
    assertThat(texts(run.path("overriding_parameters").path("python_params")))
        .contains(
            "config:kindling.run_tag=" + tag, "config:greeting=from-the-run", "config:mode=batch")
        .doesNotContain("config:greeting=default");

    JobStatus end = deployer.awaitRun(runId, Duration.ofMinutes(1));
    assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(end.platformState()).isEqualTo("TERMINATED/SUCCESS");
    assertThat(end.startTime()).isPresent();
    assertThat(end.endTime()).isPresent();
    assertThat(end.logsLocation().orElseThrow()).contains("/jobs/" + d.jobId() + "/runs/");
    assertThat(service.logs(runId).output()).contains("config:greeting=from-the-run");

    // the task run id, never the parent's, goes to get-output
    long taskRunId = run.path("tasks").get(0).path("run_id").asLong();
    assertThat(emulator.journal().requests("GET", "/api/2\\.2/jobs/runs/get-output"))
        .isNotEmpty()
        .allMatch(e -> e.query().equals("run_id=" + taskRunId));

    // a bare job run id, as the Databricks UI shows it, works too
    String bare = runId.substring(0, runId.indexOf(':'));
    assertThat(service.getJobStatus(bare).state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(service.logs(bare).resultJson().orElseThrow()).contains(tag);
  }

  @Test
  void missingJobsAndRunsAreNotFound() {
    assertThatThrownBy(() -> service.runSparkJob("1234", Map.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Job 1234 does not exist. Check the id");
    assertThatThrownBy(() -> service.runSparkJob("hello-python", Map.of()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> service.getJobStatus("1234:20200101T000000Z-00000000"))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> service.cancelJob("1234")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> service.logs("1234")).isInstanceOf(NotFoundException.class);
    assertThat(service.deleteJob("1234")).isFalse();
    assertThat(service.deleteJob("not-a-number")).isFalse();
  }

  @Test
  void jobsNotDeployedByKindlingAreNeitherRunNorDeleted() {
    long id = foreignJob(sdk(), "someone-elses");
    assertThatThrownBy(() -> service.runSparkJob(Long.toString(id), Map.of()))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("not deployed by Kindling");
    assertThatThrownBy(() -> service.deleteJob(Long.toString(id)))
        .isInstanceOf(KindlingException.class);
    assertThat(emulator.jobs()).containsKey(id);
    assertThat(service.listJobs()).isEmpty();
  }

  @Test
  void throttledStatusRequestsAreRetriedBySdk() throws IOException {
    DeploymentResult d = deploy(app("throttled", printArgs()), JobConfig.builder());
    String runId = service.runSparkJob(d.jobId(), Map.of());
    emulator.inject(
        Fault.on("GET", "/api/2\\.2/jobs/runs/get")
            .status(429)
            .header("Retry-After", "1")
            .body("{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}")
            .times(2)
            .build());

    assertThat(service.getJobStatus(runId).runId()).isEqualTo(runId);
    assertThat(emulator.journal().requests("GET", "/api/2\\.2/jobs/runs/get"))
        .extracting(Journal.Entry::status)
        .startsWith(429, 429, 200);
  }

  @Test
  void aFailedRunSaysWhyFromTheResult() throws IOException {
    DeploymentResult d =
        deploy(app("failing", "raise ValueError('bad input: 42')\n"), JobConfig.builder());
    JobStatus end =
        deployer.awaitRun(service.runSparkJob(d.jobId(), Map.of()), Duration.ofMinutes(1));
    assertThat(end.state()).isEqualTo(RunState.FAILED);
    assertThat(end.platformState()).isEqualTo("TERMINATED/RUN_EXECUTION_ERROR");
    assertThat(end.error().orElseThrow()).contains("ValueError: bad input: 42");
  }

  @Test
  void aJvmAppBecomesASparkJarTaskWithItsJarsAsLibraries() throws IOException {
    Path dir = Files.createDirectories(apps.resolve("jvm-app"));
    Files.writeString(
        dir.resolve("app.yaml"),
        "name: jvm-app\nruntime: jvm\nentry_point: app.jar\nmain_class: com.example.Main\n");
    Files.write(dir.resolve("app.jar"), new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0});
    DeploymentResult d = deploy(dir, JobConfig.builder().parameter("day", "monday"));

    JsonNode task = emulator.jobs().get(Long.parseLong(d.jobId())).path("tasks").get(0);
    assertThat(task.path("spark_jar_task").path("main_class_name").asText())
        .isEqualTo("com.example.Main");
    assertThat(texts(task.path("spark_jar_task").path("parameters")))
        .contains("config:app_name=jvm-app", "day=monday");
    assertThat(task.path("libraries").get(0).path("jar").asText())
        .startsWith(DatabricksEmulator.VOLUME_ARTIFACTS + "/data-apps/jvm-app/blobs/")
        .endsWith("/app.jar");

    String runId = service.runSparkJob(d.jobId(), Map.of("day", "tuesday"));
    JsonNode run =
        emulator.run(Long.parseLong(runId.substring(0, runId.indexOf(':')))).orElseThrow();
    assertThat(texts(run.path("overriding_parameters").path("jar_params")))
        .contains("day=tuesday")
        .anyMatch(p -> p.startsWith("config:kindling.run_tag="));
    // the emulator runs jars on Spark only with kindling-local-spark's class path, which this
    // module's tests do not have: it says so instead of pretending (and the jar is no app anyway)
    JobStatus end = deployer.awaitRun(runId, Duration.ofMinutes(1));
    assertThat(end.state()).isEqualTo(RunState.FAILED);
    if (EmulatedDriver.sparkClasspath().isEmpty()) {
      assertThat(end.error().orElseThrow()).contains("kindling.spark.classpath");
    }
  }

  @Test
  void dbfsUploadsStreamInBlocksOfAtMostOneMegabyteAndAppearWhole() throws IOException {
    ArtifactStore store = service.store(ArtifactsRoot.parse("dbfs:/kindling").orElseThrow());
    byte[] bytes = new byte[2 * 1024 * 1024 + 512 * 1024];
    new Random(7).nextBytes(bytes);

    store.upload("data-apps/x/blobs/big.bin", new ByteArrayInputStream(bytes), bytes.length);

    assertThat(emulator.journal().requests("POST", "/api/2\\.0/dbfs/add-block")).hasSize(3);
    assertThat(emulator.journal().requests("POST", "/api/2\\.0/dbfs/move")).hasSize(1);
    assertThat(Files.readAllBytes(emulator.dbfsDir().resolve("kindling/data-apps/x/blobs/big.bin")))
        .isEqualTo(bytes);
    assertThat(store.locate("data-apps/x/blobs/big.bin"))
        .isEqualTo("dbfs:/kindling/data-apps/x/blobs/big.bin");
    assertThat(store.exists("data-apps/x/blobs/big.bin")).isTrue();
    assertThat(store.list("data-apps/x"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("data-apps/x/blobs/big.bin");
              assertThat(f.size()).isEqualTo(bytes.length);
              assertThat(f.lastModified()).isPresent();
            });
    try (InputStream in = store.read("data-apps/x/blobs/big.bin")) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(store.delete("data-apps/x/blobs/big.bin")).isTrue();
    assertThat(store.delete("data-apps/x/blobs/big.bin")).isFalse();
    assertThat(store.list("data-apps/nothing")).isEmpty();
    assertThatThrownBy(() -> store.read("data-apps/x/blobs/big.bin"))
        .isInstanceOf(NotFoundException.class);
  }

  /** The next volume file {@code PUT} is answered 429 with {@code Retry-After: 0}. */
  private void throttleTheNextVolumePut() {
    emulator.inject(
        Fault.on("PUT", "/api/2\\.0/fs/files/Volumes/.*")
            .status(429)
            .header("Retry-After", "0")
            .times(1)
            .build());
  }

  @Test
  void aThrottledVolumeUploadIsSentAgainWholeNeverAsTheConsumedStream() throws IOException {
    // After a 429 the SDK sends the same request again with the same, consumed body stream; the
    // store's stream refuses that, and the upload is sent again from the start.
    ArtifactStore store = service.store();
    byte[] bytes = new byte[200 * 1024];
    new Random(3).nextBytes(bytes);
    throttleTheNextVolumePut();

    store.upload("data-apps/t/blobs/t.bin", new ByteArrayInputStream(bytes), bytes.length);

    assertThat(
            Files.readAllBytes(
                emulator
                    .volumesDir()
                    .resolve("main/kindling/artifacts/kindling/data-apps/t/blobs/t.bin")))
        .isEqualTo(bytes);
    List<Journal.Entry> puts = emulator.journal().requests("PUT", "/api/2\\.0/fs/files/.*");
    assertThat(puts.get(0).status()).isEqualTo(429);
    assertThat(puts.get(puts.size() - 1).status()).isEqualTo(204);
    assertThat(puts).filteredOn(e -> e.status() == 204).hasSize(1);
  }

  @Test
  void aThrottledVolumeUploadLargerThanTheResendBufferIsReadAgainAndSentWhole() throws IOException {
    ArtifactStore store = service.store();
    byte[] bytes = new byte[17 * 1024 * 1024]; // more than the 16 MiB kept for resending
    new Random(5).nextBytes(bytes);
    throttleTheNextVolumePut();
    java.util.concurrent.atomic.AtomicInteger opened =
        new java.util.concurrent.atomic.AtomicInteger();

    store.uploadContentAddressed(
        "data-apps/t/blobs/big.bin",
        () -> {
          opened.incrementAndGet();
          return new ByteArrayInputStream(bytes);
        },
        bytes.length);

    assertThat(
            Files.readAllBytes(
                emulator
                    .volumesDir()
                    .resolve("main/kindling/artifacts/kindling/data-apps/t/blobs/big.bin")))
        .isEqualTo(bytes);
    assertThat(opened).hasValue(2); // read again from the start, never kept in memory
    List<Journal.Entry> puts = emulator.journal().requests("PUT", "/api/2\\.0/fs/files/.*");
    assertThat(puts.get(0).status()).isEqualTo(429);
    assertThat(puts).filteredOn(e -> e.status() == 204).hasSize(1);
  }

  @Test
  void volumeUploadsSendRawBytesThroughTheFilesApi() throws IOException {
    ArtifactStore store = service.store();
    byte[] bytes = new byte[3 * 1024 * 1024];
    new Random(9).nextBytes(bytes);

    store.upload("data-apps/v/blobs/big.bin", new ByteArrayInputStream(bytes), bytes.length);

    assertThat(emulator.journal().requests("PUT", "/api/2\\.0/fs/files/Volumes/.*")).hasSize(1);
    // the PUT is answered 2xx only once the whole body is stored: no metadata request follows
    assertThat(emulator.journal().requests("HEAD", ".*")).isEmpty();
    assertThat(
            Files.readAllBytes(
                emulator
                    .volumesDir()
                    .resolve("main/kindling/artifacts/kindling/data-apps/v/blobs/big.bin")))
        .isEqualTo(bytes);
    assertThat(store.list("data-apps"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("data-apps/v/blobs/big.bin");
              assertThat(f.size()).isEqualTo(bytes.length);
              assertThat(f.lastModified()).isPresent();
            });
    try (InputStream in = store.read("data-apps/v/blobs/big.bin")) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(store.exists("data-apps/v/blobs/big.bin")).isTrue();
    assertThat(store.delete("data-apps/v/blobs/big.bin")).isTrue();
    assertThat(store.exists("data-apps/v/blobs/big.bin")).isFalse();
    assertThatThrownBy(() -> store.read("data-apps/v/blobs/big.bin"))
        .isInstanceOf(NotFoundException.class);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
