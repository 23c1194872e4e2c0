package dev.kindling.synapse;

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
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Synapse starts by itself from a Kindling schedule: the emulator fires the started
 * ScheduleTrigger for a time window the test picks, the pipeline's SparkJob activity submits the
 * job's Spark job definition as a Livy batch that runs the deployed app for real, the bootstrap
 * shim gives the run a tag of its own, and the run shows up in the job's run history.
 */
class SynapseScheduledRunsTest {
  private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  @TempDir Path apps;
  private SynapseEmulator emulator;
  private Kindling kindling;
  private DataAppDeployer deployer;

  @BeforeEach
  void start() {
    emulator = SynapseEmulator.start(EmulatorOptions.in(data));
    SynapsePlatformService service =
        SynapseModule.create(
            SynapseSettings.from(SynapseEmulatorTargets.of(emulator.target())),
            new SynapsePlatformService.Options(Duration.ofMillis(100), Duration.ofSeconds(5)),
            SystemScheduler.get(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    kindling = Kindling.withPlatform(service, new SynapseJobRules());
    deployer = kindling.deployer();
  }

  @AfterEach
  void stop() {
    kindling.close();
    emulator.close();
  }

  private DeploymentResult deploy(JobSchedule schedule) throws IOException {
    Path dir = Files.createDirectories(apps.resolve("sched-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: sched-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('scheduled hello')\n");
    return deployer.deployAsJob(
        dir, JobConfig.builder().jobName("nightly").schedule(schedule).build());
  }

  private void awaitAll(List<Integer> batchIds) throws Exception {
    for (int id : batchIds) {
      assertThat(
              emulator
                  .batchReaches(SynapseEmulator.DEFAULT_POOL, id, "success", "dead", "killed")
                  .get(2, TimeUnit.MINUTES))
          .as("batch " + id)
          .isEqualTo("success");
    }
  }

  /** The result.json files the shim wrote under the app's runs/ folder. */
  private List<JsonNode> results() throws IOException {
    Path runs =
        emulator
            .storage()
            .filesystem(SynapseEmulator.FILESYSTEM)
            .resolve("kindling/data-apps/sched-app/runs");
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
  void aWeeklyNewYorkTriggerFiresAcrossTheClockChangeAndEveryRunSucceedsWithItsOwnTag()
      throws Exception {
    // 06:30 New York on Sat, Sun and Mon; DST ends Sun 2026-11-01 (EDT → EST); ends Tue 00:00Z
    DeploymentResult d =
        deploy(
            JobSchedule.cron("30 6 * * SAT,SUN,MON", NEW_YORK)
                .withStart(Instant.parse("2026-10-28T00:00:00Z"))
                .withEnd(Instant.parse("2026-11-03T00:00:00Z")));
    JsonNode recurrence =
        emulator
            .trigger("nightly_schedule")
            .orElseThrow()
            .path("properties")
            .path("typeProperties")
            .path("recurrence");
    assertThat(recurrence.path("frequency").asText()).isEqualTo("Week");
    assertThat(recurrence.path("timeZone").asText()).isEqualTo("Eastern Standard Time");

    List<Integer> fired =
        emulator.fireTriggers(
            Instant.parse("2026-10-29T00:00:00Z"), Instant.parse("2026-11-06T00:00:00Z"));

    assertThat(fired).hasSize(3);
    assertThat(emulator.triggerRuns())
        .extracting(SynapseEmulator.TriggerRun::at)
        .containsExactly(
            Instant.parse("2026-10-31T10:30:00Z"), // Sat 06:30 EDT
            Instant.parse("2026-11-01T11:30:00Z"), // Sun 06:30 EST
            Instant.parse("2026-11-02T11:30:00Z")); // Mon
    assertThat(emulator.triggerRuns())
        .allSatisfy(
            r -> {
              assertThat(r.trigger()).isEqualTo("nightly_schedule");
              assertThat(r.pipeline()).isEqualTo("nightly_schedule");
              assertThat(r.batchIds()).hasSize(1);
            });
    awaitAll(fired);

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

    List<RunMetrics> runs = deployer.listRuns(d.jobId(), 10, null).runs();
    assertThat(runs).hasSize(3);
    assertThat(runs).extracting(RunMetrics::state).containsOnly(RunState.SUCCEEDED);
    for (int id : fired) {
      assertThat(runs)
          .anySatisfy(m -> assertThat(SynapseRunId.parse(m.runId()).batchId()).isEqualTo(id));
    }
  }

  @Test
  void aStoppedTriggerFiresNothingAndAnIntervalStopsAtItsEnd() throws Exception {
    DeploymentResult d =
        deploy(
            JobSchedule.every(Duration.ofMinutes(90))
                .withStart(Instant.parse("2026-11-26T00:00:00Z"))
                .withEnd(Instant.parse("2026-11-26T03:30:00Z")));
    assertThat(deployer.pauseSchedule(d.jobId())).isTrue();
    assertThat(
            emulator.fireTriggers(
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z")))
        .isEmpty();

    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();
    List<Integer> fired =
        emulator.fireTriggers(
            Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z"));
    // every 90 minutes from the start (inclusive) until the end: 00:00, 01:30, 03:00
    assertThat(emulator.triggerRuns())
        .extracting(SynapseEmulator.TriggerRun::at)
        .containsExactly(
            Instant.parse("2026-11-26T00:00:00Z"),
            Instant.parse("2026-11-26T01:30:00Z"),
            Instant.parse("2026-11-26T03:00:00Z"));
    awaitAll(fired);
    assertThat(deployer.listRuns(d.jobId(), 10, null).runs())
        .hasSize(3)
        .extracting(RunMetrics::state)
        .containsOnly(RunState.SUCCEEDED);

    assertThat(
            emulator.fireTriggers(
                Instant.parse("2026-11-26T03:30:00Z"), Instant.parse("2026-12-26T00:00:00Z")))
        .isEmpty();
    assertThat(deployer.removeSchedule(d.jobId())).isTrue();
    assertThat(
            emulator.fireTriggers(
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z")))
        .isEmpty();
  }
}
