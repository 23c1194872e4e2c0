package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synapse specifics on the emulator: the wire protocol, retries, errors and secrets. */
class SynapsePlatformServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "emulator-token";
  private static final Duration WAIT = Duration.ofMinutes(1);

  @TempDir Path data;
  @TempDir Path apps;
  private SynapseEmulator emulator;
  private final List<Kindling> opened = new java.util.ArrayList<>();

  @BeforeEach
  void start() {
    emulator = SynapseEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    opened.forEach(Kindling::close);
    emulator.close();
  }

  private SynapsePlatformService service(Scheduler scheduler, Map<String, Object> extra) {
    Map<String, Object> t = new LinkedHashMap<>(emulator.target());
    t.putAll(extra);
    return SynapseModule.create(
        SynapseSettings.from(SynapseEmulatorTargets.of(t)),
        new SynapsePlatformService.Options(Duration.ofMillis(100), Duration.ofSeconds(5)),
        scheduler,
        Clock.systemUTC());
  }

  private DataAppDeployer deployer(SynapsePlatformService service) {
    Kindling k = Kindling.withPlatform(service, new SynapseJobRules());
    opened.add(k);
    return k.deployer();
  }

  private Path app(String name, String code) throws Exception {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    return dir;
  }

  private JsonNode definitionOnTheEmulator(String name) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            emulator.baseUrl()
                                + "/sparkJobDefinitions/"
                                + name
                                + "?api-version=2020-12-01"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Test
  void theDefinitionRunsTheShimFromStorageWithArgsNamingTheReleaseAndPoolSizes() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get(), Map.of());
    emulator.operationPolls(3);

    DeploymentResult deployed =
        deployer(service)
            .deployAsJob(
                app("sized", "print('x')\n"),
                JobConfig.fromMap(
                    Map.of(
                        "job_name",
                        "sized_job",
                        "executors",
                        3,
                        "executor_cores",
                        8,
                        "parameters",
                        Map.of("color", "blue"))));

    JsonNode props = definitionOnTheEmulator("sized_job").path("properties");
    JsonNode job = props.path("jobProperties");
    assertThat(props.path("targetBigDataPool").path("referenceName").asText()).isEqualTo("pool1");
    assertThat(props.path("folder").path("name").asText()).isEqualTo("kindling");
    assertThat(job.path("file").asText())
        .startsWith(emulator.artifactsPath() + "/data-apps/sized/blobs/")
        .endsWith("/kindling_bootstrap.py");
    assertThat(job.path("args").toString())
        .contains("config:artifacts_storage_path=" + emulator.artifactsPath())
        .contains("config:app_name=sized")
        .contains("config:kindling.release=" + deployed.release())
        .contains("config:color=blue");
    assertThat(job.path("numExecutors").asInt()).isEqualTo(3);
    assertThat(job.path("executorCores").asInt()).isEqualTo(8);
    assertThat(job.path("executorMemory").asText()).isEqualTo("56g");
    assertThat(job.path("driverCores").asInt()).isEqualTo(4);
    assertThat(job.path("driverMemory").asText()).isEqualTo("28g");
    assertThat(definitionOnTheEmulator("sized_job").toString()).doesNotContain(TOKEN);
    // the PUT was followed through its long-running operation
    assertThat(emulator.journal().requests("GET", "/operationResults/.*")).hasSize(4);
  }

  @Test
  void aRunMergesDefaultAndRunParametersAndCarriesATagAndTheOtherLivyVersionWorks()
      throws Exception {
    SynapsePlatformService service =
        service(SystemScheduler.get(), Map.of("livy_api_version", "2020-12-01"));
    DataAppDeployer d = deployer(service);
    String code = "import sys\nprint('ARGS', ' '.join(sys.argv[1:]))\n";
    d.deployAsJob(
        app("params", code),
        JobConfig.fromMap(Map.of("parameters", Map.of("a", "default", "b", "default"))));

    String runId = service.runSparkJob("params", Map.of("b", "run"));
    JobStatus end = d.awaitRun(runId, WAIT);

    assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(end.startTime()).isPresent();
    assertThat(end.endTime()).isPresent();
    assertThat(end.platformState()).isEqualTo("success/Succeeded");
    SynapseRunId id = SynapseRunId.parse(runId);
    assertThat(id.app()).isEqualTo("params");
    RunLogs logs = service.logs(runId);
    assertThat(logs.output())
        .contains("config:a=default")
        .contains("config:b=run")
        .contains("config:kindling.run_tag=" + id.runTag());
    assertThat(logs.resultJson().orElseThrow()).contains(id.runTag());
    assertThat(
            emulator
                .journal()
                .requests("POST", "/livyApi/versions/2020-12-01/sparkPools/pool1/batches/?"))
        .hasSize(1);
  }

  @Test
  void runHistoryPagesAcrossLivyPagesAndSkipsOtherJobsBatches() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get(), Map.of());
    DataAppDeployer deployer = deployer(service);
    DeploymentResult deployed =
        deployer.deployAsJob(
            app("paged", "print('paged run')\n"),
            JobConfig.fromMap(Map.of("job_name", "paged_job")));
    List<String> ours = new java.util.ArrayList<>();
    ours.add(deployer.start(deployed.jobId(), Map.of()).runId());
    // 22 batches of another job between our runs: more than one Livy page (20) to scan
    for (int i = 0; i < 22; i++) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              emulator.baseUrl()
                                  + "/livyApi/versions/2020-12-01/sparkPools/pool1/batches"))
                      .header("Authorization", "Bearer " + TOKEN)
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"name\": \"other_job\", \"file\": \"abfss://x@y/none.py\","
                                  + " \"tags\": {\"kindling_job\": \"other_job\"}}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    ours.add(deployer.start(deployed.jobId(), Map.of()).runId());
    ours.add(deployer.start(deployed.jobId(), Map.of()).runId());
    for (String runId : ours) {
      assertThat(deployer.awaitRun(runId, WAIT).state()).isEqualTo(RunState.SUCCEEDED);
    }

    var first = deployer.listRuns(deployed.jobId(), 2, null);
    var second = deployer.listRuns(deployed.jobId(), 2, first.nextPageToken().orElseThrow());

    assertThat(first.runs())
        .extracting(dev.kindling.core.run.RunMetrics::runId)
        .containsExactly(ours.get(2), ours.get(1));
    assertThat(second.runs())
        .extracting(dev.kindling.core.run.RunMetrics::runId)
        .containsExactly(ours.get(0));
    assertThat(second.nextPageToken()).isEmpty();
    assertThat(first.runs().get(0).platformState()).isEqualTo("success/Succeeded");
    assertThat(first.runs().get(0).release()).contains(deployed.release());
    assertThat(first.runs().get(0).bytesDeployed()).isPresent();
    assertThatThrownBy(() -> deployer.listRuns(deployed.jobId(), 2, "garbage"))
        .isInstanceOf(dev.kindling.core.error.ValidationException.class)
        .hasMessageContaining("page token");
    assertThatThrownBy(() -> deployer.listRuns("no_such_job", 2, null))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aThrottledSubmitIsWaitedOutAndThrottledReadsAreRetried() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get(), Map.of());
    DataAppDeployer d = deployer(service);
    d.deployAsJob(app("throttled", "print('ok')\n"), JobConfig.builder().build());
    emulator.inject(
        Fault.on("POST", "/livyApi/.*/batches/?")
            .status(429)
            .header("Retry-After", "0")
            .times(2)
            .build());
    // a wait reads statuses from the pool's batch listing (one GET for all awaited runs) and
    // single batches for runs the listing leaves out: throttle whichever comes first
    emulator.inject(
        Fault.on("GET", "/livyApi/.*/batches(/[0-9]+)?/?")
            .status(429)
            .header("Retry-After", "0")
            .times(2)
            .build());

    String runId = service.runSparkJob("throttled", Map.of());

    assertThat(d.awaitRun(runId, WAIT).state()).isEqualTo(RunState.SUCCEEDED);
    Journal j = emulator.journal();
    assertThat(j.requests("POST", "/livyApi/.*/batches/?"))
        .extracting(Journal.Entry::status)
        .containsExactly(429, 429, 200);
    assertThat(j.requests("GET", "/livyApi/.*/batches(/[0-9]+)?/?"))
        .extracting(Journal.Entry::status)
        .startsWith(429, 429)
        .contains(200);
  }

  @Test
  void aDefinitionThatStaysMissingIsNotFoundAfterTheGracePeriodOnAFakeClock() throws Exception {
    SynapsePlatformService real = service(SystemScheduler.get(), Map.of());
    deployer(real).deployAsJob(app("lagging", "print('x')\n"), JobConfig.builder().build());
    emulator.notFoundAfterPut(Duration.ofDays(1));
    // the window is measured from the last PUT: write it again
    deployer(real)
        .deployAsJob(
            app("lagging2", "print('x')\n"), JobConfig.fromMap(Map.of("job_name", "lagging")));
    ManualScheduler fake = new ManualScheduler();
    SynapsePlatformService service = service(fake, Map.of());

    assertThatThrownBy(() -> service.runSparkJob("lagging", Map.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no Spark job definition 'lagging'");

    assertThat(fake.sleeps()).isNotEmpty().allMatch(s -> s.equals(Duration.ofSeconds(1)));
    assertThat(emulator.journal().requests("GET", "/sparkJobDefinitions/lagging"))
        .hasSizeGreaterThan(3);
    assertThat(emulator.journal().requests("POST", "/livyApi/.*")).isEmpty();
  }

  @Test
  void errorBodiesBecomeTypedExceptionsWithoutTheToken() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get(), Map.of());
    DataAppDeployer d = deployer(service);
    emulator.inject(
        Fault.on("PUT", "/sparkJobDefinitions/.*")
            .status(400)
            .body("{\"error\":{\"code\":\"InvalidRequestContent\",\"message\":\"bad pool\"}}")
            .build());

    assertThatThrownBy(() -> d.deployAsJob(app("bad", "print(1)\n"), JobConfig.builder().build()))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("InvalidRequestContent")
        .hasMessageContaining("bad pool")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));

    emulator.inject(
        Fault.on("GET", "/sparkJobDefinitions/?")
            .status(403)
            .body("{\"error\":{\"code\":\"Forbidden\",\"message\":\"no access\"}}")
            .build());
    assertThatThrownBy(service::listJobs)
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("Forbidden")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
  }

  @Test
  void logsArePagedAndJobsAreListedAcrossPages() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get(), Map.of());
    DataAppDeployer d = deployer(service);
    d.deployAsJob(
        app("chatty", "for i in range(250):\n    print('line', i)\n"), JobConfig.builder().build());
    d.deployAsJob(app("quiet", "pass\n"), JobConfig.builder().build());
    emulator.listPageSize(1);

    String runId = service.runSparkJob("chatty", Map.of());
    assertThat(d.awaitRun(runId, WAIT).state()).isEqualTo(RunState.SUCCEEDED);

    String out = service.logs(runId).output();
    assertThat(out).contains("line 0\n").contains("line 249\n");
    assertThat(emulator.journal().requests("GET", "/livyApi/.*/log"))
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(service.listJobs()).extracting(JobInfo::name).containsExactly("chatty", "quiet");
  }

  @Test
  void theTargetWiresThroughGuiceWithoutAnyCall() {
    Map<String, Object> t = new LinkedHashMap<>(emulator.target());
    TargetConfig target = SynapseEmulatorTargets.of(t);

    try (Kindling k = Kindling.forTarget(target)) {
      assertThat(k.platform()).isInstanceOf(SynapsePlatformService.class);
      assertThat(k.platform().platformId()).isEqualTo("synapse");
    }
    assertThat(emulator.journal().isEmpty()).isTrue();
    assertThat(target.toString()).doesNotContain(TOKEN);
  }
}
