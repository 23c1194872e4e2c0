package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.deploy.BootstrapShim;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RunHandle;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunResult;
import dev.kindling.core.run.RunState;
import dev.kindling.core.spi.PlatformService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link PlatformService} must have. A platform module's test extends this
 * class and says how to make a service; the fake, the local platform and every cloud emulator pass
 * the same tests, so code written against one platform behaves the same on the others.
 *
 * <p>The suite deploys small Python apps that succeed, fail, or run until cancelled. Platforms that
 * run apps for real (local, the emulators) need nothing more; platforms that only simulate runs
 * (the fake) override {@link #expect(AppBehaviour)} to script the next run.
 */
public abstract class PlatformServiceContract {
  /** What the next run's app does. */
  protected enum AppBehaviour {
    SUCCEED,
    FAIL,
    RUN_UNTIL_CANCELLED
  }

  @TempDir protected Path apps;

  private Kindling kindling;
  private PlatformService service;
  private DataAppDeployer deployer;

  /**
   * A new service instance for the platform under test. Every call must return an instance over the
   * same target (the same cloud, emulator or workspace), as a new process would build.
   */
  protected abstract PlatformService newService();

  /** The job rules used when deploying; by default the fake's, which accept every key. */
  protected JobConfigValidator rules() {
    return FakePlatformService.jobRules();
  }

  /** Called before each run is started; simulated platforms script the run here. */
  protected void expect(AppBehaviour behaviour) {}

  /**
   * True when runs execute the app for real (the bootstrap shim writes result.json): the local
   * platform and the emulators. Simulated platforms skip the result-value tests.
   */
  protected boolean runsAppsForReal() {
    return true;
  }

  /** A well-formed run id that names no run on this platform. */
  protected String unknownRunId() {
    return "kindling-contract-missing-run";
  }

  /** How long a contract run may take. */
  protected Duration runTimeout() {
    return Duration.ofMinutes(2);
  }

  @BeforeEach
  void openContract() {
    service = newService();
    kindling = Kindling.withPlatform(service, rules());
    deployer = kindling.deployer();
  }

  @AfterEach
  void closeContract() {
    kindling.close();
  }

  /** The deployer under test, over {@link #newService()}'s instance. */
  protected final DataAppDeployer deployer() {
    return deployer;
  }

  @Test
  void deployedJobRunsToSuccessThroughOrderedStatesWithLogsAndResult() throws IOException {
    String greeting = "hello-" + UUID.randomUUID();
    DeploymentResult deployed = deploy(app("ok", okApp()));
    assertThat(deployed.filesTotal()).isGreaterThanOrEqualTo(3);

    expect(AppBehaviour.SUCCEED);
    String runId = service.runSparkJob(deployed.jobId(), Map.of("greeting", greeting));
    List<JobStatus> seen = new CopyOnWriteArrayList<>();
    JobStatus end = deployer.awaitRun(runId, runTimeout(), seen::add);

    assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(end.runId()).isEqualTo(runId);
    assertThat(seen).isNotEmpty();
    assertThat(seen.get(seen.size() - 1).state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(seen.subList(0, seen.size() - 1)).allMatch(s -> !s.isTerminal());
    assertThat(service.getJobStatus(runId).state()).isEqualTo(RunState.SUCCEEDED);

    RunLogs logs = service.logs(runId);
    assertThat(logs.output()).contains(greeting);
    assertThat(logs.resultJson()).isPresent();
    assertThat(logs.resultJson().get()).contains("SUCCEEDED");
  }

  @Test
  void failingAppEndsFailedWithTheError() throws IOException {
    DeploymentResult deployed = deploy(app("fail", failingApp()));

    expect(AppBehaviour.FAIL);
    JobStatus end =
        deployer.awaitRun(service.runSparkJob(deployed.jobId(), Map.of()), runTimeout());

    assertThat(end.state()).isEqualTo(RunState.FAILED);
    assertThat(end.error()).isPresent();
    assertThat(end.error().get()).contains("contract failure");
  }

  @Test
  void cancellingARunningRunEndsItCancelledAndASecondCancelIsFalse() throws Exception {
    DeploymentResult deployed = deploy(app("hang", hangingApp()));

    expect(AppBehaviour.RUN_UNTIL_CANCELLED);
    String runId = service.runSparkJob(deployed.jobId(), Map.of());
    CompletableFuture<JobStatus> watch = watchUntilRunning(runId);

    assertThat(service.cancelJob(runId)).isTrue();
    JobStatus end = watch.get(runTimeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(end.state()).isEqualTo(RunState.CANCELLED);
    assertThat(service.cancelJob(runId)).isFalse();
  }

  @Test
  void cancellingAFinishedRunReturnsFalse() throws IOException {
    DeploymentResult deployed = deploy(app("done", okApp()));
    expect(AppBehaviour.SUCCEED);
    String runId = service.runSparkJob(deployed.jobId(), Map.of());
    assertThat(deployer.awaitRun(runId, runTimeout()).state()).isEqualTo(RunState.SUCCEEDED);

    assertThat(service.cancelJob(runId)).isFalse();
    assertThat(service.getJobStatus(runId).state()).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void redeployUpdatesTheJobInPlace() throws IOException {
    Path app = app("redeploy", okApp());
    DeploymentResult first = deploy(app);
    Files.writeString(app.resolve("extra.py"), "VALUE = 2\n");

    DeploymentResult second = deploy(app);

    assertThat(second.jobId()).isEqualTo(first.jobId());
    assertThat(second.release()).isNotEqualTo(first.release());
    assertThat(second.filesUploaded()).isEqualTo(1);
    String name = jobName(app);
    assertThat(service.listJobs()).filteredOn(j -> j.name().equals(name)).hasSize(1);

    expect(AppBehaviour.SUCCEED);
    JobStatus end = deployer.awaitRun(service.runSparkJob(second.jobId(), Map.of()), runTimeout());
    assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void unchangedRedeployUploadsNothing() throws IOException {
    Path app = app("same", okApp());
    DeploymentResult first = deploy(app);

    DeploymentResult second = deploy(app);

    assertThat(second.filesUploaded()).isZero();
    assertThat(second.bytesUploaded()).isZero();
    assertThat(second.release()).isEqualTo(first.release());
    assertThat(second.jobId()).isEqualTo(first.jobId());
  }

  @Test
  void runIdsWorkFromANewInstance() throws IOException {
    DeploymentResult deployed = deploy(app("fresh", okApp()));
    expect(AppBehaviour.SUCCEED);
    String runId = service.runSparkJob(deployed.jobId(), Map.of("greeting", "from-afar"));

    PlatformService other = newService();
    try (Kindling k = Kindling.withPlatform(other, rules())) {
      JobStatus end = k.deployer().awaitRun(runId, runTimeout());
      assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(other.logs(runId).output()).contains("from-afar");
      assertThat(other.cancelJob(runId)).isFalse();
    }
  }

  @Test
  void listedStatusesAgreeWithSingleStatuses() throws Exception {
    DeploymentResult deployed = deploy(app("listed", hangingApp()));
    expect(AppBehaviour.RUN_UNTIL_CANCELLED);
    String runId = service.runSparkJob(deployed.jobId(), Map.of());
    Optional<String> key = service.statusBatchKey(runId);
    Assumptions.assumeTrue(key.isPresent(), "the platform does not list run statuses");
    CompletableFuture<JobStatus> watch = watchUntilRunning(runId);

    // a running run is in any listing of its group, active or recent runs
    Map<String, JobStatus> listed = service.getJobStatuses(key.get(), Set.of(runId));
    assertThat(listed).containsKey(runId);
    assertThat(listed.get(runId).runId()).isEqualTo(runId);
    assertThat(listed.get(runId).state()).isEqualTo(RunState.RUNNING);
    assertThat(service.getJobStatus(runId).state()).isEqualTo(RunState.RUNNING);

    assertThat(service.cancelJob(runId)).isTrue();
    JobStatus end = watch.get(runTimeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(end.state()).isEqualTo(RunState.CANCELLED);
    // an ended run may have dropped out of the listing; if it is there, it agrees
    Map<String, JobStatus> after = service.getJobStatuses(key.get(), Set.of(runId));
    if (after.containsKey(runId)) {
      assertThat(after.get(runId).state()).isEqualTo(service.getJobStatus(runId).state());
    }
    assertThat(service.statusBatchKey(runId)).isEqualTo(key);
  }

  @Test
  void unknownRunIdIsNotFound() {
    assertThatThrownBy(() -> service.getJobStatus(unknownRunId()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void deletedJobIsGoneAndCannotRun() throws IOException {
    Path app = app("delete", okApp());
    DeploymentResult deployed = deploy(app);
    String name = jobName(app);
    assertThat(service.listJobs()).extracting(JobInfo::name).contains(name);

    assertThat(service.deleteJob(deployed.jobId())).isTrue();

    assertThat(service.listJobs()).extracting(JobInfo::name).doesNotContain(name);
    assertThatThrownBy(() -> service.runSparkJob(deployed.jobId(), Map.of()))
        .isInstanceOf(NotFoundException.class);
    assertThat(service.deleteJob(deployed.jobId())).isFalse();
  }

  @Test
  void resultCarriesTheValueTheAppSetAndTheOutputTail() throws IOException {
    Assumptions.assumeTrue(runsAppsForReal(), "the platform does not run apps");
    DeploymentResult deployed = deploy(app("value", valueApp()));

    RunHandle run = deployer.start(deployed.jobId(), Map.of("greeting", "valued"));
    assertThat(run.await(runTimeout()).state()).isEqualTo(RunState.SUCCEEDED);
    RunResult result = run.result();

    assertThat(result.resultWritten()).isTrue();
    assertThat(result.state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(result.exitState()).isEqualTo("SUCCEEDED");
    assertThat(result.exitCode()).hasValue(0);
    assertThat(result.error()).isEmpty();
    assertThat(result.release()).contains(deployed.release());
    assertThat(result.value()).isPresent();
    assertThat(result.value().get().path("rows").asInt()).isEqualTo(42);
    assertThat(result.value().get().path("greeting").asText()).isEqualTo("valued");
    assertThat(result.value().get().path("items").size()).isEqualTo(3);
    assertThat(result.outputTail()).anyMatch(l -> l.contains("computed 42 rows"));
    assertThat(result.start()).isPresent();
    assertThat(result.end()).isPresent();
  }

  @Test
  void moduleLevelResultIsTheValueAndAnOversizedValueIsRefused() throws IOException {
    Assumptions.assumeTrue(runsAppsForReal(), "the platform does not run apps");
    DeploymentResult deployed = deploy(app("module", moduleResultApp()));

    RunHandle run = deployer.start(deployed.jobId(), Map.of());
    assertThat(run.await(runTimeout()).state()).isEqualTo(RunState.SUCCEEDED);
    RunResult result = deployer.result(run.runId());

    assertThat(result.valueJson()).isEqualTo("[1,2,\"three\",null]");
    assertThat(result.outputTail())
        .anyMatch(l -> l.contains("refused:") && l.contains("over the 64 KiB limit"));
  }

  @Test
  void failingAppResultHasTheErrorTracebackAndTheValueSetBefore() throws IOException {
    Assumptions.assumeTrue(runsAppsForReal(), "the platform does not run apps");
    DeploymentResult deployed = deploy(app("broken", failingValueApp()));

    RunHandle run = deployer.start(deployed.jobId(), Map.of());
    assertThat(run.await(runTimeout()).state()).isEqualTo(RunState.FAILED);
    RunResult result = run.result();

    assertThat(result.state()).isEqualTo(RunState.FAILED);
    assertThat(result.exitState()).isEqualTo("FAILED");
    assertThat(result.exitCode()).hasValue(1);
    assertThat(result.error())
        .hasValueSatisfying(e -> assertThat(e).contains("ValueError: bad row 7"));
    assertThat(result.traceback())
        .hasValueSatisfying(
            t -> assertThat(t).contains("Traceback").contains("app.py").contains("check_row"));
    assertThat(result.valueJson()).isEqualTo("{\"checked\":6}");
  }

  @Test
  void runHistoryPagesNewestFirstWithMetrics() throws IOException {
    Path app = app("history", okApp());
    DeploymentResult deployed = deploy(app);
    List<String> started = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expect(AppBehaviour.SUCCEED);
      RunHandle run = deployer.start(deployed.jobId(), Map.of("greeting", "run" + i));
      assertThat(run.await(runTimeout()).state()).isEqualTo(RunState.SUCCEEDED);
      started.add(run.runId());
    }
    long releaseBytes = BootstrapShim.generate().size();
    try (var files = Files.walk(app)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        releaseBytes += Files.size(f);
      }
    }

    RunPage first = deployer.listRuns(deployed.jobId(), 2, null);
    assertThat(first.runs()).hasSize(2);
    assertThat(first.nextPageToken()).isPresent();
    RunPage second = deployer.listRuns(deployed.jobId(), 2, first.nextPageToken().get());
    assertThat(second.runs()).hasSize(1);
    assertThat(second.nextPageToken()).isEmpty();

    List<RunMetrics> all = new java.util.ArrayList<>(first.runs());
    all.addAll(second.runs());
    assertThat(all)
        .extracting(RunMetrics::runId)
        .containsExactly(started.get(2), started.get(1), started.get(0));
    for (RunMetrics m : all) {
      assertThat(m.state()).isEqualTo(RunState.SUCCEEDED);
      assertThat(m.attempts()).isEqualTo(1);
      assertThat(m.release()).contains(deployed.release());
      assertThat(m.bytesDeployed()).hasValue(releaseBytes);
      assertThat(m.queueTime()).hasValueSatisfying(d -> assertThat(d.isNegative()).isFalse());
      assertThat(m.runTime()).hasValueSatisfying(d -> assertThat(d.isNegative()).isFalse());
    }
    assertThat(deployer.result(all.get(0).runId()).state()).isEqualTo(RunState.SUCCEEDED);
  }

  /** Deploys an app directory with its own name as job name. */
  protected final DeploymentResult deploy(Path app) {
    return deployer.deployAsJob(app, JobConfig.builder().jobName(jobName(app)).build());
  }

  private static String jobName(Path app) {
    return app.getFileName().toString();
  }

  /** Writes an app with a unique name; returns its directory. */
  protected final Path app(String kind, String code) throws IOException {
    String name = "contract-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    Files.writeString(dir.resolve("util.py"), "def double(x):\n    return 2 * x\n");
    return dir;
  }

  private static String okApp() {
    return String.join(
        "\n",
        "import sys",
        "from util import double",
        "params = dict(t[len('config:'):].split('=', 1) for t in sys.argv[1:]",
        "              if t.startswith('config:') and '=' in t)",
        "print('contract greeting: ' + params.get('greeting', 'none'))",
        "print('double of 21 is', double(21))",
        "");
  }

  private static String valueApp() {
    return String.join(
        "\n",
        "import sys",
        "import kindling",
        "params = dict(t[len('config:'):].split('=', 1) for t in sys.argv[1:]",
        "              if t.startswith('config:') and '=' in t)",
        "print('computed 42 rows')",
        "kindling.set_result({'rows': 42, 'greeting': params.get('greeting'), 'items': [1, 2, 3]})",
        "");
  }

  private static String moduleResultApp() {
    return String.join(
        "\n",
        "import kindling_runtime",
        "try:",
        "    kindling_runtime.set_result('x' * 70000)",
        "except ValueError as e:",
        "    print('refused:', e)",
        "result = [1, 2, 'three', None]",
        "");
  }

  private static String failingValueApp() {
    return String.join(
        "\n",
        "import kindling",
        "def check_row(n):",
        "    if n == 7:",
        "        raise ValueError('bad row %d' % n)",
        "for n in range(1, 10):",
        "    check_row(n)",
        "    kindling.set_result({'checked': n})",
        "");
  }

  private static String failingApp() {
    return "raise RuntimeError('contract failure: the app raised')\n";
  }

  private static String hangingApp() {
    return "import time\nprint('waiting to be cancelled', flush=True)\ntime.sleep(3600)\n";
  }

  /** Watches the run until its end; returns once it has been seen RUNNING. */
  private CompletableFuture<JobStatus> watchUntilRunning(String runId) throws Exception {
    CompletableFuture<JobStatus> running = new CompletableFuture<>();
    CompletableFuture<JobStatus> watch =
        deployer.watch(
            runId,
            runTimeout(),
            s -> {
              if (s.state() == RunState.RUNNING) {
                running.complete(s);
              }
            });
    running.get(runTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return watch;
  }
}
