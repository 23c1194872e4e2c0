package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunState;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Fabric starts by itself from a Kindling schedule: the emulator fires the item schedule for a
 * time window the test picks, each fired job instance runs the deployed app for real, the bootstrap
 * shim gives it a run tag of its own, and the run shows up in the job's run history.
 */
class FabricScheduledRunsTest {
  private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");
  private static final ZoneId LONDON = ZoneId.of("Europe/London");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  @TempDir Path apps;
  FabricEmulator emulator;
  Kindling kindling;
  DataAppDeployer deployer;

  @BeforeEach
  void start() {
    emulator = FabricEmulator.start(EmulatorOptions.in(data)).retryAfterSeconds(0);
    FabricPlatformService service =
        new FabricPlatformService(
            FabricTestTargets.settings(emulator), Clock.systemUTC(), new ManualScheduler(NOW));
    kindling = Kindling.withPlatform(service, new FabricJobRules());
    deployer = kindling.deployer();
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

  private DeploymentResult deploy(JobSchedule schedule) throws IOException {
    Path dir = Files.createDirectories(apps.resolve("sched-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: sched-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('scheduled hello')\n");
    return deployer.deployAsJob(
        dir, JobConfig.builder().jobName("nightly").schedule(schedule).build());
  }

  private FabricClient client() {
    return new FabricClient(
        dev.kindling.core.http.HttpClients.builder()
            .platform("fabric")
            .auth(
                dev.kindling.core.http.StaticTokenProvider.of(
                    dev.kindling.core.config.Secret.of(emulator.apiToken())),
                FabricPlatformService.API_SCOPE)
            .build(),
        okhttp3.HttpUrl.get(emulator.target().get("api_url").toString()),
        emulator.workspaceId(),
        new ManualScheduler(NOW));
  }

  private void awaitAll(List<String> instanceIds) throws Exception {
    for (String id : instanceIds) {
      assertThat(emulator.instanceEnds(id).get(2, TimeUnit.MINUTES)).as(id).isEqualTo("Completed");
    }
  }

  /** The result.json files the shim wrote under the app's runs/ folder. */
  private List<JsonNode> results() throws IOException {
    Path runs =
        emulator
            .oneLake()
            .filesystem(emulator.workspaceId())
            .resolve(emulator.lakehouseId())
            .resolve("Files/kindling/data-apps/sched-app/runs");
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(runs, 2)) {
      for (Path f : files.filter(p -> p.endsWith("result.json")).sorted().toList()) {
        out.add(JSON.readTree(f.toFile()));
      }
    }
    return out;
  }

  @Test
  void aDailyLondonScheduleFiresAcrossTheClockChangeAndEveryRunSucceedsWithItsOwnTag()
      throws Exception {
    // 06:30 London daily; the clocks go back on Sun 2026-10-25 (BST → GMT), the schedule ends
    // at noon on the 26th
    DeploymentResult d =
        deploy(
            JobSchedule.cron("30 6 * * *", LONDON)
                .withStart(Instant.parse("2026-10-20T00:00:00Z"))
                .withEnd(Instant.parse("2026-10-26T12:00:00Z")));

    List<String> fired =
        emulator.fireSchedules(
            Instant.parse("2026-10-23T12:00:00Z"), Instant.parse("2026-10-30T00:00:00Z"));

    assertThat(fired).hasSize(3);
    assertThat(emulator.firings())
        .extracting(FabricEmulator.Firing::at)
        .containsExactly(
            Instant.parse("2026-10-24T05:30:00Z"), // 06:30 BST
            Instant.parse("2026-10-25T06:30:00Z"), // 06:30 GMT
            Instant.parse("2026-10-26T06:30:00Z"));
    assertThat(emulator.firings())
        .extracting(FabricEmulator.Firing::instanceId)
        .containsExactlyElementsOf(fired);
    assertThat(emulator.firings()).allSatisfy(f -> assertThat(f.itemId()).isEqualTo(d.jobId()));
    awaitAll(fired);

    // each run made a run tag of its own and wrote its result there
    List<JsonNode> results = results();
    assertThat(results).hasSize(3);
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.path("state").asText()).isEqualTo("SUCCEEDED");
              assertThat(r.path("run_tag").asText()).matches("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}");
              assertThat(r.path("output_tail").toString()).contains("scheduled hello");
            });
    assertThat(results.stream().map(r -> r.path("run_tag").asText()).distinct()).hasSize(3);

    // the job's run history lists them, finished
    List<RunMetrics> runs = deployer.listRuns(d.jobId(), 10, null).runs();
    assertThat(runs).hasSize(3);
    assertThat(runs).extracting(RunMetrics::state).containsOnly(RunState.SUCCEEDED);
    for (String id : fired) {
      assertThat(runs).anySatisfy(m -> assertThat(m.runId()).contains(id));
    }
    // Fabric lists them as scheduled job instances
    assertThat(client().listJobInstances(d.jobId()))
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.path("invokeType").asText()).isEqualTo("Scheduled"));
  }

  @Test
  void aPausedScheduleFiresNothingAndAnIntervalStopsAtItsEnd() throws Exception {
    DeploymentResult d =
        deploy(
            JobSchedule.every(Duration.ofHours(2))
                .withStart(Instant.parse("2026-11-26T00:00:00Z"))
                .withEnd(Instant.parse("2026-11-26T03:00:00Z")));
    assertThat(deployer.pauseSchedule(d.jobId())).isTrue();
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z")))
        .isEmpty();

    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();
    List<String> fired =
        emulator.fireSchedules(
            Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z"));
    // from the start (inclusive) every 2 hours, until the end: 00:00 and 02:00
    assertThat(emulator.firings())
        .extracting(FabricEmulator.Firing::at)
        .containsExactly(
            Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-26T02:00:00Z"));
    awaitAll(fired);
    assertThat(deployer.listRuns(d.jobId(), 10, null).runs())
        .hasSize(2)
        .extracting(RunMetrics::state)
        .containsOnly(RunState.SUCCEEDED);

    // a window after the end fires nothing; removing the schedule leaves nothing to fire
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-11-27T00:00:00Z"), Instant.parse("2026-12-27T00:00:00Z")))
        .isEmpty();
    assertThat(deployer.removeSchedule(d.jobId())).isTrue();
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z")))
        .isEmpty();
  }
}
