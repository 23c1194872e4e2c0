package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.RunRetry;
import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.graph.GraphRun;
import dev.kindling.core.graph.GraphRunner;
import dev.kindling.core.graph.GraphTask;
import dev.kindling.core.graph.JobGraph;
import dev.kindling.core.graph.RunIf;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fabric has no task graphs (platform-apis.md 2.10) and no documented retry policy (its {@code
 * retryPolicy} is sent as null): Kindling runs graphs client-side and retries runs itself. Against
 * the emulator over real HTTP.
 */
class FabricGraphTest {
  @TempDir Path data;
  @TempDir Path apps;
  FabricEmulator emulator;
  Kindling kindling;

  @BeforeEach
  void start() {
    emulator = FabricEmulator.start(EmulatorOptions.in(data)).retryAfterSeconds(0);
    FabricPlatformService service =
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

  private Path app(String name, String code) throws IOException {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    return dir;
  }

  @Test
  void aGraphRunsClientSideAndAFlakyTaskIsRetriedByKindling() throws IOException {
    Path marker = apps.resolve("transform-failed-once");
    Path ok = app("ok-app", "print('ok')\n");
    Path flaky =
        app(
            "flaky-app",
            "import os, sys\n"
                + "marker = [a.split('=', 1)[1] for a in sys.argv if a.startswith('config:marker=')][0]\n"
                + "if not os.path.exists(marker):\n"
                + "    open(marker, 'w').close()\n"
                + "    raise RuntimeError('first attempt fails')\n"
                + "print('transformed')\n");
    JobGraph graph =
        JobGraph.of(
            "etl",
            GraphTask.of("extract", ok),
            GraphTask.of("transform", flaky)
                .dependsOn("extract")
                .config(
                    JobConfig.builder()
                        .parameter("marker", marker.toString())
                        .retry(RunRetry.attempts(2, Duration.ofMillis(100)))
                        .build()),
            GraphTask.of("load", ok).dependsOn("transform"),
            GraphTask.of("notify", ok).dependsOn("transform").runIf(RunIf.AT_LEAST_ONE_FAILED));

    GraphRun run =
        new GraphRunner(kindling.deployer()).start(graph, Map.of(), Duration.ofMinutes(2));

    assertThat(run.await()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.mode()).isEqualTo(GraphRun.Mode.CLIENT_SIDE);
    assertThat(run.task("extract").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.task("load").state()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.task("notify").state()).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("notify").upstreamFailed()).isFalse();
    List<Attempt> attempts = run.task("transform").attempts();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).end().map(JobStatus::state)).contains(RunState.FAILED);
    assertThat(attempts.get(0).end().flatMap(JobStatus::error).orElseThrow())
        .contains("first attempt fails");
    assertThat(attempts.get(1).end().map(JobStatus::state)).contains(RunState.SUCCEEDED);
    assertThat(attempts.get(0).runId()).isNotEqualTo(attempts.get(1).runId());
    assertThat(kindling.deployer().logs(attempts.get(1).runId()).output()).contains("transformed");
    // one Spark Job Definition per task
    assertThat(kindling.deployer().listJobs())
        .extracting(JobInfo::name)
        .contains("etl-extract", "etl-transform", "etl-load", "etl-notify");
  }

  @Test
  void aFailedTaskStopsItsDownstreamTasksOnFabric() throws IOException {
    Path ok = app("ok-app", "print('ok')\n");
    Path boom = app("boom-app", "raise SystemExit(2)\n");
    JobGraph graph =
        JobGraph.of(
            "chain",
            GraphTask.of("first", boom),
            GraphTask.of("second", ok).dependsOn("first"),
            GraphTask.of("third", ok).dependsOn("second"));

    GraphRun run =
        new GraphRunner(kindling.deployer()).start(graph, Map.of(), Duration.ofMinutes(2));

    assertThat(run.await()).isEqualTo(RunState.FAILED);
    assertThat(run.task("first").state()).isEqualTo(RunState.FAILED);
    assertThat(run.task("second").state()).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("third").state()).isEqualTo(RunState.SKIPPED);
    assertThat(run.task("third").upstreamFailed()).isTrue();
    assertThat(run.task("second").runId()).isEmpty();
  }
}
