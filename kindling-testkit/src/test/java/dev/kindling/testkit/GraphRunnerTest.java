package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RetriedRun;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.graph.GraphRun;
import dev.kindling.core.graph.GraphRunner;
import dev.kindling.core.graph.GraphTask;
import dev.kindling.core.graph.JobGraph;
import dev.kindling.core.graph.RunIf;
import dev.kindling.core.graph.TaskRun;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client-side graph runner and Kindling-side retries, on the fake platform and a fake clock.
 */
class GraphRunnerTest {
  @TempDir Path dir;

  private final FakeCloud cloud = new FakeCloud();
  private final FakePlatformService fake = new FakePlatformService(cloud);
  private final ManualScheduler clock = new ManualScheduler();
  private DataAppDeployer deployer;
  private GraphRunner runner;
  private Path app;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    deployer =
        new DataAppDeployer(
            fake,
            FakePlatformService.jobRules(),
            new TargetConfig("test", FakePlatformService.ID, Map.of(), null, null),
            new RunPoller(clock),
            clock);
    runner = new GraphRunner(deployer);
    app = Files.createDirectories(dir.resolve("demo"));
    Files.writeString(app.resolve("app.yaml"), "name: demo\nversion: 1.0.0\n");
    Files.writeString(app.resolve("app.py"), "print('hi')\n");
  }

  private GraphTask task(String name, String... deps) {
    return GraphTask.of(name, app).dependsOn(deps);
  }

  private GraphRun runToEnd(JobGraph graph) {
    GraphRun run = runner.start(graph, Map.of(), Duration.ofHours(1));
    run.onTaskChange(t -> events.add(t.task() + ":" + t.state()));
    for (int i = 0; i < 10_000 && !run.isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(run.isDone()).as("graph ended").isTrue();
    return run;
  }

  private static RunState state(GraphRun run, String task) {
    return run.task(task).state();
  }

  @Test
  void aDiamondRunsInDependencyOrder() {
    JobGraph g = JobGraph.of("g", task("a"), task("b", "a"), task("c", "a"), task("d", "b", "c"));

    GraphRun run = runToEnd(g);

    assertThat(run.await()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.tasks()).extracting(TaskRun::state).containsOnly(RunState.SUCCEEDED);
    assertThat(run.mode()).isEqualTo(GraphRun.Mode.CLIENT_SIDE);
    // one job per task, named <graph>-<task>; d submitted last, after b and c ended
    assertThat(cloud.jobs())
        .extracting(FakeCloud.Job::name)
        .containsExactly("g-a", "g-b", "g-c", "g-d");
    List<String> jobsRun = cloud.calls("runSparkJob").stream().map(c -> c.args().get(0)).toList();
    assertThat(jobsRun).hasSize(4);
    assertThat(jobsRun.get(0)).isEqualTo(run.task("a").jobId().orElseThrow());
    assertThat(jobsRun.get(3)).isEqualTo(run.task("d").jobId().orElseThrow());
    int dStarted = firstIndex(e -> e.startsWith("d:") && !e.equals("d:PENDING"));
    assertThat(dStarted)
        .isGreaterThan(events.indexOf("b:SUCCEEDED"))
        .isGreaterThan(events.indexOf("c:SUCCEEDED"));
    assertThat(run.tasks()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));
  }

  private int firstIndex(java.util.function.Predicate<String> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aFailureSkipsEverythingDownstreamButNotOtherBranches() {
    cloud.scriptJob("g-a", RunScript.failAfterPolls(2, "boom"));
    JobGraph g =
        JobGraph.of(
            "g",
            task("a"),
            task("b", "a"),
            task("c", "b"),
            task("other"),
            task("alert", "a").runIf(RunIf.AT_LEAST_ONE_FAILED));

    GraphRun run = runToEnd(g);

    assertThat(run.await()).isEqualTo(RunState.FAILED);
    assertThat(state(run, "a")).isEqualTo(RunState.FAILED);
    assertThat(run.task("a").message()).contains("boom");
    assertThat(state(run, "b")).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("b").upstreamFailed()).isTrue();
    assertThat(run.task("b").message().orElseThrow()).contains("upstream failed");
    assertThat(state(run, "c")).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("c").upstreamFailed()).isTrue();
    assertThat(state(run, "other")).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(run, "alert")).isEqualTo(RunState.SUCCEEDED);
    // b and c never ran
    assertThat(cloud.calls("runSparkJob"))
        .extracting(c -> c.args().get(0))
        .doesNotContain(run.task("b").jobId().orElseThrow(), run.task("c").jobId().orElseThrow());
    assertThat(run.task("b").runId()).isEmpty();
  }

  @Test
  void everyRunIfConditionIsHonoured() {
    cloud.scriptJob("g-bad", RunScript.failAfterPolls(2, "boom"));
    JobGraph g =
        JobGraph.of(
                "g",
                task("bad"),
                task("good"),
                task("all_success", "bad", "good"),
                task("at_least_one_success", "bad", "good").runIf(RunIf.AT_LEAST_ONE_SUCCESS),
                task("none_failed", "bad", "good").runIf(RunIf.NONE_FAILED),
                task("none_failed_ok", "good").runIf(RunIf.NONE_FAILED),
                task("all_done", "bad", "good").runIf(RunIf.ALL_DONE),
                task("at_least_one_failed", "bad", "good").runIf(RunIf.AT_LEAST_ONE_FAILED),
                task("at_least_one_failed_no", "good").runIf(RunIf.AT_LEAST_ONE_FAILED),
                task("all_failed", "bad", "good").runIf(RunIf.ALL_FAILED),
                task("all_failed_yes", "bad").runIf(RunIf.ALL_FAILED))
            .withMaxParallel(20);

    GraphRun run = runToEnd(g);

    assertThat(state(run, "all_success")).isEqualTo(RunState.SKIPPED);
    assertThat(state(run, "at_least_one_success")).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(run, "none_failed")).isEqualTo(RunState.SKIPPED);
    assertThat(state(run, "none_failed_ok")).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(run, "all_done")).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(run, "at_least_one_failed")).isEqualTo(RunState.SUCCEEDED);
    assertThat(state(run, "at_least_one_failed_no")).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("at_least_one_failed_no").upstreamFailed()).isFalse();
    assertThat(run.task("at_least_one_failed_no").message().orElseThrow()).contains("did not hold");
    assertThat(state(run, "all_failed")).isEqualTo(RunState.SKIPPED);
    assertThat(state(run, "all_failed_yes")).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void noMoreThanMaxParallelTasksRunAtOnce() {
    JobGraph g =
        JobGraph.of(
                "g", task("t1"), task("t2"), task("t3"), task("t4"), task("t5"), task("t6", "t1"))
            .withMaxParallel(2);
    Set<String> active = new HashSet<>();
    List<Integer> sizes = new ArrayList<>();
    cloud.defaultScript(RunScript.succeedAfterPolls(3));

    GraphRun run = runner.start(g, Map.of(), Duration.ofHours(1));
    run.onTaskChange(
        t -> {
          synchronized (active) {
            if (t.state().isTerminal()) {
              active.remove(t.task());
            } else if (t.state() != RunState.PENDING) {
              active.add(t.task());
            }
            sizes.add(active.size());
          }
        });
    // the first two were submitted at start
    assertThat(cloud.calls("runSparkJob")).hasSize(2);
    for (int i = 0; i < 10_000 && !run.isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(
              cloud.calls("runSparkJob").size()
                  - run.tasks().stream().filter(t -> t.state().isTerminal()).count())
          .isLessThanOrEqualTo(2);
    }

    assertThat(run.await()).isEqualTo(RunState.SUCCEEDED);
    assertThat(sizes).allMatch(n -> n <= 2).contains(2);
    assertThat(cloud.calls("runSparkJob")).hasSize(6);
  }

  @Test
  void aBadGraphAndABadAppAreReportedTogetherBeforeAnyCall() throws IOException {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("app.yaml"), "name: broken\nentry_pont: x.py\n");
    JobGraph g =
        JobGraph.of(
            "g",
            task("a", "c"),
            task("b", "a"),
            task("c", "b"),
            GraphTask.of("d", broken).dependsOn("ghost"),
            task("a"));

    assertThatThrownBy(() -> runner.start(g, Map.of(), Duration.ofHours(1)))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::toString)
                    .anyMatch(p -> p.contains("cycle: a -> c -> b -> a"))
                    .anyMatch(p -> p.contains("`ghost` is not a task"))
                    .anyMatch(p -> p.contains("two tasks are named `a`"))
                    .anyMatch(p -> p.contains("graphs.g.tasks.d (") && p.contains("entry_pont")));
    assertThat(cloud.calls()).isEmpty();
    assertThat(cloud.store().snapshot()).isEmpty();
  }

  @Test
  void cancelStopsRunningTasksAndSkipsTheRest() {
    cloud.scriptJob("g-a", RunScript.hangUntilCancelled());
    cloud.scriptJob("g-b", RunScript.hangUntilCancelled());
    JobGraph g = JobGraph.of("g", task("a"), task("b"), task("c", "a"));
    GraphRun run = runner.start(g, Map.of(), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(5));
    assertThat(state(run, "a")).isEqualTo(RunState.RUNNING);

    assertThat(run.cancel()).isTrue();
    for (int i = 0; i < 100 && !run.isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(run.await()).isEqualTo(RunState.CANCELLED);
    assertThat(state(run, "a")).isEqualTo(RunState.CANCELLED);
    assertThat(state(run, "b")).isEqualTo(RunState.CANCELLED);
    assertThat(state(run, "c")).isEqualTo(RunState.SKIPPED);
    assertThat(cloud.calls("cancelJob")).hasSize(2);
    assertThat(cloud.calls("runSparkJob")).hasSize(2);
  }

  @Test
  void aGraphTaskIsRetriedAsItsConfigSays() {
    cloud.scriptJob("g-a", RunScript.failAfterPolls(2, "flaky"), RunScript.succeedAfterPolls(2));
    JobGraph g =
        JobGraph.of(
            "g",
            task("a")
                .config(
                    JobConfig.builder().retry(RunRetry.attempts(3, Duration.ofMinutes(1))).build()),
            task("b", "a"));

    GraphRun run = runToEnd(g);

    assertThat(run.await()).isEqualTo(RunState.SUCCEEDED);
    List<Attempt> attempts = run.task("a").attempts();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).end().map(JobStatus::state)).contains(RunState.FAILED);
    assertThat(attempts.get(1).end().map(JobStatus::state)).contains(RunState.SUCCEEDED);
    assertThat(attempts.get(0).runId()).isNotEqualTo(attempts.get(1).runId());
    assertThat(run.task("a").runId()).contains(attempts.get(1).runId());
    assertThat(state(run, "b")).isEqualTo(RunState.SUCCEEDED);
  }

  // ---- retries of single runs

  @Test
  void aFailedRunIsSubmittedAgainAfterTheBackoffOnTheInjectedClock() {
    DeploymentResult job = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(
        RunScript.failAfterPolls(1, "one"),
        RunScript.failAfterPolls(1, "two"),
        RunScript.succeedAfterPolls(1));
    RunRetry retry =
        new RunRetry(
            3, Duration.ofSeconds(30), Duration.ofSeconds(40), 2.0, Set.of(RunState.FAILED));

    RetriedRun run = deployer.start(job.jobId(), Map.of(), retry, Duration.ofHours(1), s -> {});
    clock.advance(Duration.ofSeconds(1)); // attempt 1 fails
    assertThat(run.attempts()).hasSize(1);
    clock.advance(Duration.ofSeconds(28));
    assertThat(cloud.calls("runSparkJob")).hasSize(1); // still backing off
    clock.advance(Duration.ofSeconds(2));
    assertThat(cloud.calls("runSparkJob")).hasSize(2);
    clock.advance(Duration.ofSeconds(1)); // attempt 2 fails; next wait 60s capped at 40s
    clock.advance(Duration.ofSeconds(37));
    assertThat(cloud.calls("runSparkJob")).hasSize(2);
    for (int i = 0; i < 100 && !run.future().isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(run.await().state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.attempts()).extracting(Attempt::number).containsExactly(1, 2, 3);
    assertThat(run.attempts()).extracting(Attempt::runId).doesNotHaveDuplicates();
    assertThat(run.attempts().get(0).end().flatMap(JobStatus::error)).contains("one");
  }

  @Test
  void retriesStopAtMaxAttemptsAndSkipStatesNotListed() {
    DeploymentResult job = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.defaultScript(RunScript.failAfterPolls(1, "always"));

    RetriedRun failing =
        deployer.start(
            job.jobId(),
            Map.of(),
            RunRetry.attempts(2, Duration.ofSeconds(5)),
            Duration.ofHours(1),
            s -> {});
    for (int i = 0; i < 100 && !failing.future().isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(failing.await().state()).isEqualTo(RunState.FAILED);
    assertThat(failing.attempts()).hasSize(2);

    RetriedRun onlyTimeouts =
        deployer.start(
            job.jobId(),
            Map.of(),
            RunRetry.attempts(5, Duration.ofSeconds(5)).on(RunState.TIMED_OUT),
            Duration.ofHours(1),
            s -> {});
    for (int i = 0; i < 100 && !onlyTimeouts.future().isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(onlyTimeouts.attempts()).hasSize(1);
  }

  @Test
  void aCancelledRunIsNeverSubmittedAgain() {
    DeploymentResult job = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.hangUntilCancelled());
    RunRetry retry =
        new RunRetry(
            5,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            1.0,
            Set.of(RunState.FAILED, RunState.TIMED_OUT));

    RetriedRun run = deployer.start(job.jobId(), Map.of(), retry, Duration.ofHours(1), s -> {});
    clock.advance(Duration.ofSeconds(3));
    assertThat(run.cancel()).isTrue();
    for (int i = 0; i < 100 && !run.future().isDone(); i++) {
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(run.await().state()).isEqualTo(RunState.CANCELLED);
    assertThat(run.attempts()).hasSize(1);
    clock.advance(Duration.ofMinutes(5));
    assertThat(cloud.calls("runSparkJob")).hasSize(1);
  }

  @Test
  void aCancelDuringTheBackoffCallsTheRetryOff() {
    DeploymentResult job = deployer.deployAsJob(app, JobConfig.builder().build());
    cloud.scriptNextRuns(RunScript.failAfterPolls(1, "once"));

    RetriedRun run =
        deployer.start(
            job.jobId(),
            Map.of(),
            RunRetry.attempts(3, Duration.ofMinutes(1)),
            Duration.ofHours(1),
            s -> {});
    clock.advance(Duration.ofSeconds(2));
    assertThat(run.cancel()).isTrue();
    clock.advance(Duration.ofMinutes(5));

    assertThat(run.await().state()).isEqualTo(RunState.FAILED);
    assertThat(cloud.calls("runSparkJob")).hasSize(1);
  }
}
