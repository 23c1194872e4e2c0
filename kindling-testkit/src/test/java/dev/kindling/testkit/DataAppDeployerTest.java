package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RunHandle;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunPage;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.run.RunResult;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestrator, on the fake platform and a fake clock. */
class DataAppDeployerTest {
  @TempDir Path dir;

  private final FakeCloud cloud = new FakeCloud();
  private final FakePlatformService fake = new FakePlatformService(cloud);
  private final ManualScheduler clock = new ManualScheduler();
  private DataAppDeployer deployer;
  private Path app;

  @BeforeEach
  void setUp() throws IOException {
    deployer =
        new DataAppDeployer(
            fake,
            FakePlatformService.jobRules(),
            new TargetConfig("test", FakePlatformService.ID, Map.of(), null, null),
            new RunPoller(clock),
            clock);
    app = Files.createDirectories(dir.resolve("demo"));
    Files.writeString(app.resolve("app.yaml"), "name: demo\nversion: 2.0.0\n");
    Files.writeString(app.resolve("app.py"), "print('hi')\n");
  }

  @Test
  void badAppAndBadConfigAreReportedTogetherBeforeAnyPlatformCall() throws IOException {
    Files.writeString(app.resolve("app.yaml"), "name: demo\nentry_pont: main.py\n");
    JobConfig config = JobConfig.fromMap(Map.of("job_name", "demo", "executor_memory", "4g"));
    JobConfig bad = config.toBuilder().entryPoint("missing.py").executors(0).build();

    assertThatThrownBy(() -> deployer.deployAsJob(app, bad))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::location)
                    .anyMatch(l -> l.contains("entry_pont"))
                    .anyMatch(l -> l.contains("executors")));
    assertThat(cloud.calls()).isEmpty();
    assertThat(cloud.store().snapshot()).isEmpty();
  }

  @Test
  void anEntryPointOverrideThatIsNotInTheAppIsAProblem() {
    JobConfig config = JobConfig.builder().entryPoint("nope.py").build();

    assertThatThrownBy(() -> deployer.deployAsJob(app, config))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("entry_point")
        .hasMessageContaining("nope.py");
    assertThat(cloud.calls()).isEmpty();
  }

  @Test
  void theJobNameDefaultsToTheAppNameAndTheShimIsAdded() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());

    assertThat(cloud.jobs()).extracting(FakeCloud.Job::name).containsExactly("demo");
    assertThat(r.filesTotal()).isEqualTo(3); // app.yaml, app.py, kindling_bootstrap.py
    assertThat(cloud.store().snapshot().keySet())
        .anyMatch(p -> p.endsWith("/kindling_bootstrap.py"));
  }

  @Test
  void badParametersAreRejectedBeforeTheRunIsSubmitted() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());

    assertThatThrownBy(() -> deployer.runJob(r.jobId(), Map.of("bad key", "v")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("bad key");
    assertThat(cloud.calls("runSparkJob")).isEmpty();
  }

  @Test
  void aBadRunListingIsRefusedBeforeAnyPlatformCall() {
    assertThatThrownBy(() -> deployer.listRuns(" ", 0, null))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::location)
                    .containsExactly("job", "limit"));
    assertThatThrownBy(() -> deployer.listRuns("demo", RunPage.MAX_LIMIT + 1, null))
        .hasMessageContaining("use 1 to 100");
    assertThat(cloud.calls()).isEmpty();
  }

  @Test
  void theResultOfARunningRunComesFromItsStatusWithoutReadingResultJson() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.hangUntilCancelled());
    String runId = deployer.runJob(r.jobId(), Map.of());
    deployer.getJobStatus(runId);
    deployer.getJobStatus(runId);

    RunResult running = deployer.result(runId);

    assertThat(running.state()).isEqualTo(RunState.RUNNING);
    assertThat(running.resultWritten()).isFalse();
    assertThat(cloud.calls("logs")).isEmpty();

    deployer.cancelJob(runId);
    RunResult cancelled = deployer.attach(runId).result();
    assertThat(cancelled.state()).isEqualTo(RunState.CANCELLED);
    assertThat(cancelled.resultWritten()).isTrue();
    assertThat(cancelled.error()).contains("cancelled");
  }

  @Test
  void listenersSeeEachStateOnceInOrder() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.succeedAfterPolls(4));
    String runId = deployer.runJob(r.jobId(), Map.of());
    List<RunState> seen = new CopyOnWriteArrayList<>();

    CompletableFuture<JobStatus> done =
        deployer.watch(runId, Duration.ofMinutes(5), s -> seen.add(s.state()));
    while (!done.isDone()) {
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(done.join().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(seen).containsExactly(RunState.PENDING, RunState.RUNNING, RunState.SUCCEEDED);
  }

  @Test
  void aTimedOutAwaitDetachesByDefaultAndLeavesTheRunRunning() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.hangUntilCancelled());
    RunHandle run = deployer.start(r.jobId(), Map.of());

    CompletableFuture<Throwable> failure = awaitInBackground(run, RunHandle.OnTimeout.DETACH);

    assertThat(failure.join()).isInstanceOf(TimedOutException.class);
    assertThat(((TimedOutException) failure.join()).lastStatus())
        .map(JobStatus::state)
        .contains(RunState.RUNNING);
    assertThat(cloud.calls("cancelJob")).isEmpty();
    assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
  }

  @Test
  void aTimedOutAwaitCanCancelTheRun() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.hangUntilCancelled());
    RunHandle run = deployer.start(r.jobId(), Map.of());

    CompletableFuture<Throwable> failure = awaitInBackground(run, RunHandle.OnTimeout.CANCEL);

    assertThat(failure.join()).isInstanceOf(TimedOutException.class);
    assertThat(cloud.calls("cancelJob")).hasSize(1);
    assertThat(run.status().state()).isEqualTo(RunState.CANCELLED);
  }

  @Test
  void anInterruptedAwaitRestoresTheFlagAndLeavesTheRunAlone() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.hangUntilCancelled());
    RunHandle run = deployer.start(r.jobId(), Map.of());

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> run.await(Duration.ofMinutes(1)))
          .isInstanceOf(KindlingException.class)
          .hasMessageContaining("left running");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(cloud.calls("cancelJob")).isEmpty();
  }

  /** Awaits with a 2-minute timeout on another thread while this one moves the fake clock. */
  private CompletableFuture<Throwable> awaitInBackground(RunHandle run, RunHandle.OnTimeout mode) {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread waiter =
        new Thread(
            () -> {
              try {
                run.await(Duration.ofMinutes(2), mode);
                failure.complete(null);
              } catch (Throwable t) {
                failure.complete(t);
              }
            });
    waiter.start();
    // move the clock only once the wait has scheduled its deadline and first poll
    while (clock.pendingTasks() < 2 && !failure.isDone()) {
      Thread.onSpinWait();
    }
    while (!failure.isDone()) {
      clock.advance(Duration.ofSeconds(5));
      Thread.onSpinWait();
    }
    return failure;
  }

  private List<String> startRuns(String jobId, int n) {
    List<String> runs = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      runs.add(deployer.runJob(jobId, Map.of()));
    }
    return runs;
  }

  @Test
  void runsOfOneJobAreWaitedForWithOneListingPerPoll() {
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.defaultScript(RunScript.succeedAfterPolls(3));
    List<String> runs = startRuns(r.jobId(), 10);
    List<CompletableFuture<JobStatus>> waits =
        runs.stream().map(id -> deployer.watch(id, Duration.ofMinutes(5), s -> {})).toList();

    clock.advance(Duration.ofMinutes(1));

    assertThat(waits).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
    assertThat(cloud.calls("getJobStatus")).isEmpty();
    List<String> expected = new java.util.ArrayList<>(List.of(r.jobId()));
    expected.addAll(new java.util.TreeSet<>(runs));
    assertThat(cloud.calls("getJobStatuses")).hasSize(3).allMatch(c -> c.args().equals(expected));
  }

  @Test
  void withoutAListingEveryRunIsPolledAlone() {
    cloud.batchStatuses(false);
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.defaultScript(RunScript.succeedAfterPolls(3));
    List<CompletableFuture<JobStatus>> waits =
        startRuns(r.jobId(), 10).stream()
            .map(id -> deployer.watch(id, Duration.ofMinutes(5), s -> {}))
            .toList();

    clock.advance(Duration.ofMinutes(1));

    assertThat(waits).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
    assertThat(cloud.calls("getJobStatuses")).isEmpty();
    assertThat(cloud.calls("getJobStatus")).hasSize(30);
  }

  @Test
  void aRunTheListingNoLongerShowsIsAskedForAlone() {
    cloud.listActiveRunsOnly(true);
    DeploymentResult r = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.defaultScript(RunScript.hangUntilCancelled());
    List<String> runs = startRuns(r.jobId(), 3);
    List<CompletableFuture<JobStatus>> waits =
        runs.stream().map(id -> deployer.watch(id, Duration.ofMinutes(5), s -> {})).toList();
    clock.advance(Duration.ofSeconds(1));

    deployer.cancelJob(runs.get(1));
    clock.advance(Duration.ofSeconds(1));

    assertThat(waits.get(1).join().state()).isEqualTo(RunState.CANCELLED);
    assertThat(waits.get(0)).isNotDone();
    assertThat(cloud.calls("getJobStatus"))
        .extracting(FakeCloud.Call::args)
        .containsExactly(List.of(runs.get(1)));
    runs.forEach(deployer::cancelJob);
    clock.advance(Duration.ofSeconds(1));
    assertThat(waits).allMatch(f -> f.join().state() == RunState.CANCELLED);
  }

  @Test
  void runsOfDifferentJobsAreListedPerJob() throws IOException {
    DeploymentResult first = deployer.deployAsJob(app, JobConfig.builder().build());
    DeploymentResult second =
        deployer.deployAsJob(app, JobConfig.builder().jobName("demo-2").build());
    cloud.defaultScript(RunScript.succeedAfterPolls(2));
    List<String> runs = new java.util.ArrayList<>(startRuns(first.jobId(), 2));
    runs.addAll(startRuns(second.jobId(), 2));
    List<CompletableFuture<JobStatus>> waits =
        runs.stream().map(id -> deployer.watch(id, Duration.ofMinutes(5), s -> {})).toList();

    clock.advance(Duration.ofMinutes(1));

    assertThat(waits).allMatch(f -> f.join().state() == RunState.SUCCEEDED);
    assertThat(cloud.calls("getJobStatuses"))
        .extracting(c -> c.args().get(0))
        .containsExactlyInAnyOrder(first.jobId(), first.jobId(), second.jobId(), second.jobId());
  }
}
