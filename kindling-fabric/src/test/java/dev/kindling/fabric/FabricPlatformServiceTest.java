package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.Problems;
import dev.kindling.core.http.PlatformError;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fabric specifics beyond the contract: state mapping, times, errors, LROs, faults, settings. */
class FabricPlatformServiceTest {
  @TempDir Path data;
  @TempDir Path apps;
  FabricEmulator emulator;
  FabricPlatformService service;
  Kindling kindling;

  @BeforeEach
  void start() {
    emulator =
        FabricEmulator.start(EmulatorOptions.in(data))
            .retryAfterSeconds(0)
            .longRunningOperations(true);
    service =
        new FabricPlatformService(
            FabricTestTargets.settings(emulator), Clock.systemUTC(), SystemScheduler.get());
    kindling = Kindling.withPlatform(service, new FabricJobRules());
  }

  @AfterEach
  void stop() {
    kindling.close();
    try {
      assertThat(emulator.specViolations()).isEmpty();
    } finally {
      emulator.close();
    }
  }

  private DeploymentResult deploy(String code, Map<String, String> params) throws Exception {
    Path dir = Files.createDirectories(apps.resolve("unit-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: unit-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    DataAppDeployer deployer = kindling.deployer();
    return deployer.deployAsJob(
        dir, JobConfig.builder().jobName("unit app").parameters(params).build());
  }

  @Test
  void longRunningOperationsHonourRetryAfterCappedAndFollowLocation() throws Exception {
    emulator.retryAfterSeconds(45).operationPolls(2);
    dev.kindling.core.time.ManualScheduler time = new dev.kindling.core.time.ManualScheduler();
    FabricPlatformService onFakeTime =
        new FabricPlatformService(FabricTestTargets.settings(emulator), Clock.systemUTC(), time);
    Path dir = Files.createDirectories(apps.resolve("lro-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: lro-app\n");
    Files.writeString(dir.resolve("app.py"), "print('x')\n");
    try (Kindling k = Kindling.withPlatform(onFakeTime, new FabricJobRules())) {
      DeploymentResult d = k.deployer().deployAsJob(dir, JobConfig.builder().build());
      assertThat(d.jobId()).matches("[0-9a-f-]{36}");
    }
    // 202 (Retry-After 45, capped at 30), Running, Running, Succeeded, then the result
    assertThat(time.sleeps())
        .containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(emulator.journal().requests("GET", "/v1/operations/[^/]+")).hasSize(3);
    assertThat(emulator.journal().requests("GET", "/v1/operations/[^/]+/result")).hasSize(1);
  }

  @Test
  void statesMapPerThePlatformTable() {
    assertThat(FabricPlatformService.state("NotStarted")).isEqualTo(RunState.PENDING);
    assertThat(FabricPlatformService.state("InProgress")).isEqualTo(RunState.RUNNING);
    assertThat(FabricPlatformService.state("Completed")).isEqualTo(RunState.SUCCEEDED);
    assertThat(FabricPlatformService.state("Failed")).isEqualTo(RunState.FAILED);
    assertThat(FabricPlatformService.state("Cancelled")).isEqualTo(RunState.CANCELLED);
    assertThat(FabricPlatformService.state("Deduped")).isEqualTo(RunState.SKIPPED);
    assertThat(FabricPlatformService.state("Paused")).isEqualTo(RunState.UNKNOWN);
    assertThat(FabricPlatformService.state(null)).isEqualTo(RunState.UNKNOWN);
  }

  @Test
  void zonelessSevenDigitTimesAreUtc() {
    assertThat(FabricPlatformService.time(TextNode.valueOf("2023-04-22T06:35:00.7812154")))
        .contains(Instant.parse("2023-04-22T06:35:00.781215400Z"));
    assertThat(FabricPlatformService.time(TextNode.valueOf("2024-01-01T10:00:00Z")))
        .contains(Instant.parse("2024-01-01T10:00:00Z"));
    assertThat(FabricPlatformService.time(TextNode.valueOf("2024-01-01T10:00:00+02:00")))
        .contains(Instant.parse("2024-01-01T08:00:00Z"));
    assertThat(FabricPlatformService.time(TextNode.valueOf("garbage"))).isEmpty();
    assertThat(FabricPlatformService.time(null)).isEmpty();
  }

  @Test
  void instanceIdComesFromTheLocationHeader() {
    String g = "5b218778-e7a5-4d73-8187-f10824047715";
    assertThat(
            FabricClient.instanceIdFrom(
                "https://api.fabric.microsoft.com/v1/workspaces/w/items/i/jobs/instances/" + g))
        .contains(g);
    assertThat(
            FabricClient.instanceIdFrom(
                "https://x/v1/workspaces/w/items/i/jobs/instances?jobType=Execute"))
        .isEmpty();
    assertThat(FabricClient.instanceIdFrom(null)).isEmpty();
  }

  @Test
  void errorResponsesAreParsed() {
    PlatformError e =
        FabricErrors.INSTANCE.parse(
            404,
            Headers.of(),
            "{\"errorCode\":\"ItemNotFound\",\"message\":\"The requested item was not found\","
                + "\"requestId\":\"r-1\",\"isRetriable\":false}");
    assertThat(e.code()).contains("ItemNotFound");
    assertThat(e.message()).contains("The requested item was not found");
    assertThat(e.requestId()).contains("r-1");
    PlatformError fromHeaders =
        FabricErrors.INSTANCE.parse(
            401, Headers.of("x-ms-public-api-error-code", "TokenExpired", "RequestId", "r-2"), "");
    assertThat(fromHeaders.code()).contains("TokenExpired");
    assertThat(fromHeaders.requestId()).contains("r-2");
  }

  @Test
  void aFailedRunCarriesTheAppErrorAndFabricsFailureReason() throws Exception {
    DeploymentResult d = deploy("raise ValueError('unit boom')\n", Map.of());
    String runId = service.runSparkJob(d.jobId(), Map.of());
    JobStatus end = kindling.deployer().awaitRun(runId, Duration.ofMinutes(1));
    assertThat(end.state()).isEqualTo(RunState.FAILED);
    assertThat(end.error().orElseThrow())
        .contains("ValueError: unit boom")
        .contains("JobInstanceStatusFailed");
    assertThat(end.startTime()).isPresent();
    assertThat(end.endTime()).isPresent();
  }

  @Test
  void runArgumentsCarryTheRunTagAndJobDefaultsUnderRunParameters() throws Exception {
    DeploymentResult d =
        deploy("import sys\nprint(' '.join(sys.argv[1:]))\n", Map.of("a", "job", "b", "job"));
    String runId = service.runSparkJob(d.jobId(), Map.of("b", "run"));
    assertThat(kindling.deployer().awaitRun(runId, Duration.ofMinutes(1)).state())
        .isEqualTo(RunState.SUCCEEDED);
    String tag = runId.substring(runId.lastIndexOf(':') + 1);
    String out = service.logs(runId).output();
    assertThat(out)
        .contains("config:kindling.run_tag=" + tag)
        .contains("config:a=job")
        .contains("config:b=run")
        .doesNotContain("config:b=job");
  }

  @Test
  void unknownAndDedupedStatusesFromThePlatformAreMapped() throws Exception {
    DeploymentResult d = deploy("print('x')\n", Map.of());
    String runId = service.runSparkJob(d.jobId(), Map.of());
    kindling.deployer().awaitRun(runId, Duration.ofMinutes(1));
    emulator.inject(
        Fault.on("GET", ".*/jobs/instances/.*")
            .status(200)
            .body(
                "{\"id\":\"x\",\"status\":\"Deduped\",\"startTimeUtc\":\"2023-04-22T06:35:00.7812154\"}")
            .build());
    emulator.inject(
        Fault.on("GET", ".*/jobs/instances/.*")
            .status(200)
            .body("{\"id\":\"x\",\"status\":\"SomethingNew\"}")
            .build());
    JobStatus deduped = service.getJobStatus(runId);
    assertThat(deduped.state()).isEqualTo(RunState.SKIPPED);
    assertThat(deduped.startTime()).contains(Instant.parse("2023-04-22T06:35:00.781215400Z"));
    JobStatus unknown = service.getJobStatus(runId);
    assertThat(unknown.state()).isEqualTo(RunState.UNKNOWN);
    assertThat(unknown.platformState()).isEqualTo("SomethingNew");
  }

  @Test
  void throttledAndFailingReadsAreRetriedButRunsAreNotResentBlindly() throws Exception {
    DeploymentResult d = deploy("print('x')\n", Map.of());
    emulator.inject(
        Fault.on("GET", ".*/sparkJobDefinitions")
            .status(429)
            .header("Retry-After", "0")
            .body("{\"errorCode\":\"TooManyRequests\",\"message\":\"slow down\"}")
            .build());
    emulator.inject(Fault.on("POST", ".*/getDefinition").status(503).build());
    emulator.inject(Fault.on("POST", ".*/jobs/sparkjob/instances").status(503).build());
    assertThat(service.listJobs()).hasSize(1);
    // the 503 may have come from a gateway after the run started: the job's runs are listed
    // first; none started since the request, so it is asked once more
    String runId = service.runSparkJob(d.jobId(), Map.of());
    assertThat(runId).isNotEmpty();
    assertThat(emulator.journal().requests("POST", ".*/jobs/sparkjob/instances")).hasSize(2);
    assertThat(emulator.journal().requests("GET", ".*/items/[^/]+/jobs/instances")).hasSize(1);
    assertThat(emulator.journal().requests("POST", ".*/getDefinition").size())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aJobThatIsNotThereIsNotFound() {
    assertThatThrownBy(() -> service.runSparkJob("00000000-0000-0000-0000-00000000000a", Map.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("ItemNotFound");
    assertThatThrownBy(() -> service.runSparkJob("not-a-guid", Map.of()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> service.getJobStatus("local-run-id"))
        .isInstanceOf(NotFoundException.class);
    assertThat(service.deleteJob("not-a-guid")).isFalse();
  }

  @Test
  void aNonKindlingItemWithTheSameNameIsNotOverwritten() throws Exception {
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    String body = "{\"displayName\":\"unit app\",\"description\":\"made by hand\"}";
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(
                        emulator.baseUrl()
                            + "/v1/workspaces/"
                            + emulator.workspaceId()
                            + "/sparkJobDefinitions")
                    .header("Authorization", "Bearer " + emulator.apiToken())
                    .post(
                        okhttp3.RequestBody.create(body, okhttp3.MediaType.get("application/json")))
                    .build())
            .execute()) {
      assertThat(r.code()).isIn(201, 202);
    }
    assertThatThrownBy(() -> deploy("print('x')\n", Map.of()))
        .hasMessageContaining("Kindling did not deploy");
    assertThat(service.listJobs()).isEmpty();
  }

  @Test
  void theStorageTokenIsNotAcceptedByTheApiAndNoTokenLeaks() {
    TargetConfig t = FabricTestTargets.target(emulator);
    AuthConfig swapped =
        new AuthConfig(
            AuthConfig.Method.TOKEN,
            Optional.of(Secret.of(emulator.storageToken())),
            Optional.of(Secret.of(emulator.storageToken())),
            null,
            null,
            null,
            null);
    FabricPlatformService wrong =
        new FabricPlatformService(
            FabricSettings.from(new TargetConfig("e", "fabric", t.settings(), swapped, null)),
            Clock.systemUTC(),
            SystemScheduler.get());
    assertThatThrownBy(wrong::listJobs)
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("InvalidToken")
        .message()
        .doesNotContain(emulator.storageToken());
    assertThat(FabricSettings.from(t).toString()).doesNotContain(emulator.apiToken());
  }

  @Test
  void targetValidationNamesEachBadSetting() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("workspace_id", "my workspace");
    s.put("api_url", "ftp://nope");
    Problems p = new Problems();
    FabricSettings.validate(
        new TargetConfig("dev", "fabric", s, AuthConfig.token(Secret.of("t")), null), p);
    assertThat(p.asList().toString())
        .contains("targets.dev.workspace_id")
        .contains("not a GUID")
        .contains("targets.dev.lakehouse_id")
        .contains("required")
        .contains("targets.dev.api_url");
    FabricSettings defaults =
        FabricSettings.from(
            new TargetConfig(
                "dev",
                "fabric",
                Map.of(
                    "workspace_id", "11111111-1111-1111-1111-111111111111",
                    "lakehouse_id", "22222222-2222-2222-2222-222222222222"),
                null,
                null));
    assertThat(defaults.artifactsPath())
        .isEqualTo(
            "abfss://11111111-1111-1111-1111-111111111111@onelake.dfs.fabric.microsoft.com/"
                + "22222222-2222-2222-2222-222222222222/Files/kindling");
    assertThat(defaults.apiUrl()).hasToString("https://api.fabric.microsoft.com/v1");
    assertThat(defaults.onelakeUrl()).hasToString("https://onelake.dfs.fabric.microsoft.com");
  }

  @Test
  void jobRulesCheckNamesSizesAndParameterValues() {
    Problems p = new Problems();
    new FabricJobRules()
        .validate(
            JobConfig.builder()
                .jobName("bad/name")
                .executorMemory("30g")
                .executorCores(6)
                .parameter("k", "has space")
                .build(),
            p);
    assertThat(p.asList().toString())
        .contains("job_name")
        .contains("executor_memory")
        .contains("executor_cores")
        .contains("parameters.k");
    Problems ok = new Problems();
    new FabricJobRules()
        .validate(
            JobConfig.builder().jobName("My job_1").executorMemory("56g").driverCores(8).build(),
            ok);
    assertThat(ok.isEmpty()).isTrue();
  }
}
