package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.service.jobs.CronSchedule;
import com.databricks.sdk.service.jobs.JobSettings;
import com.databricks.sdk.service.jobs.UpdateJob;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databricks job schedules through the SDK against the emulator. */
class DatabricksScheduleTest {
  @TempDir Path data;
  @TempDir Path apps;
  private DatabricksEmulator emulator;
  private Kindling kindling;
  private DataAppDeployer deployer;

  @BeforeEach
  void start() {
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
    kindling =
        Kindling.withPlatform(
            EmulatedTargets.service(emulator, DatabricksEmulator.VOLUME_ARTIFACTS),
            new DatabricksJobRules());
    deployer = kindling.deployer();
  }

  @AfterEach
  void stop() {
    kindling.close();
    emulator.close();
  }

  private DeploymentResult deploy(JobConfig.Builder config) throws IOException {
    Path dir = Files.createDirectories(apps.resolve("sched-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: sched-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('hi')\n");
    return deployer.deployAsJob(
        dir, config.jobName("sched-app").clusterId(DatabricksEmulator.CLUSTER_ID).build());
  }

  private JsonNode settings(DeploymentResult d) {
    return emulator.jobs().get(Long.parseLong(d.jobId()));
  }

  @Test
  void deployWritesTheQuartzScheduleAndJavaZone() throws IOException {
    DeploymentResult d =
        deploy(
            JobConfig.builder()
                .schedule(JobSchedule.cron("30 6 * * MON-FRI", ZoneId.of("Europe/London"))));
    JsonNode s = settings(d).path("schedule");
    assertThat(s.path("quartz_cron_expression").asText())
        .isEqualTo("0 30 6 ? * MON,TUE,WED,THU,FRI");
    assertThat(s.path("timezone_id").asText()).isEqualTo("Europe/London");
    assertThat(s.path("pause_status").asText()).isEqualTo("UNPAUSED");
    assertThat(settings(d).has("trigger")).isFalse();

    ScheduleInfo info = deployer.getSchedule(d.jobId()).orElseThrow();
    assertThat(info.enabled()).isTrue();
    assertThat(info.summary())
        .isEqualTo("Databricks schedule \"0 30 6 ? * MON,TUE,WED,THU,FRI\" in Europe/London");
    assertThat(info.schedule().orElseThrow().cron().orElseThrow().daysOfWeek()).hasSize(5);
    assertThat(info.schedule().orElseThrow().cron().orElseThrow().hours()).containsExactly(6);
  }

  @Test
  void intervalsBecomePeriodicTriggersAndReplaceACronSchedule() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    deployer.setSchedule(d.jobId(), JobSchedule.cron("0 6 * * *", ZoneId.of("UTC")));
    deployer.setSchedule(d.jobId(), JobSchedule.every(Duration.ofMinutes(90)).withEnabled(false));
    JsonNode s = settings(d);
    assertThat(s.has("schedule")).isFalse();
    assertThat(s.path("trigger").path("periodic").path("interval").asInt()).isEqualTo(90);
    assertThat(s.path("trigger").path("periodic").path("unit").asText()).isEqualTo("MINUTES");
    assertThat(s.path("trigger").path("pause_status").asText()).isEqualTo("PAUSED");
    ScheduleInfo info = deployer.getSchedule(d.jobId()).orElseThrow();
    assertThat(info.enabled()).isFalse();
    assertThat(info.schedule().orElseThrow().every()).contains(Duration.ofMinutes(90));

    deployer.setSchedule(d.jobId(), JobSchedule.every(Duration.ofDays(14)));
    assertThat(settings(d).path("trigger").path("periodic").path("unit").asText())
        .isEqualTo("WEEKS");
    assertThat(settings(d).path("trigger").path("periodic").path("interval").asInt()).isEqualTo(2);
  }

  @Test
  void pauseResumeRemoveAndRedeployKeepsTheSchedule() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    assertThat(deployer.getSchedule(d.jobId())).isEmpty();
    assertThat(deployer.pauseSchedule(d.jobId())).isFalse();
    deployer.setSchedule(d.jobId(), JobSchedule.cron("0 */4 * * *", ZoneId.of("America/Chicago")));

    assertThat(deployer.pauseSchedule(d.jobId())).isTrue();
    assertThat(settings(d).path("schedule").path("pause_status").asText()).isEqualTo("PAUSED");
    assertThat(settings(d).path("schedule").path("quartz_cron_expression").asText())
        .isEqualTo("0 0 0,4,8,12,16,20 * * ?");

    // a redeploy without a schedule in the config leaves the one set by the API in place
    DeploymentResult again = deploy(JobConfig.builder().description("v2"));
    assertThat(again.jobId()).isEqualTo(d.jobId());
    assertThat(settings(d).path("schedule").path("pause_status").asText()).isEqualTo("PAUSED");

    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();
    assertThat(settings(d).path("schedule").path("pause_status").asText()).isEqualTo("UNPAUSED");
    assertThat(deployer.removeSchedule(d.jobId())).isTrue();
    assertThat(settings(d).has("schedule")).isFalse();
    assertThat(deployer.removeSchedule(d.jobId())).isFalse();
  }

  @Test
  void whatDatabricksCannotHoldIsReportedBeforeAnyCall() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    int before = emulator.journal().size();
    assertThatThrownBy(
            () ->
                deployer.setSchedule(
                    d.jobId(),
                    JobSchedule.cron("0 6 13 * FRI", ZoneId.of("UTC"))
                        .withStart(Instant.parse("2026-12-01T00:00:00Z"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("schedule.start")
        .hasMessageContaining("schedule.cron")
        .hasMessageContaining("both the day of month and the day of week");
    assertThat(emulator.journal().size()).isEqualTo(before);

    assertThatThrownBy(
            () ->
                deploy(
                    JobConfig.builder()
                        .schedule(
                            JobSchedule.fromMap(
                                Map.of("cron", "0 6 1 * MON", "end", "2027-01-01"), "s"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job config: schedule.end")
        .hasMessageContaining("job config: schedule.cron");
  }

  @Test
  void quartzReadsBackAsFiveFieldCron() {
    assertThat(DatabricksSchedules.fromQuartz("0 30 6 ? * 2-6")).contains("30 6 * * MON-FRI");
    assertThat(DatabricksSchedules.fromQuartz("0 0/15 * * * ?")).contains("0/15 * * * *");
    assertThat(DatabricksSchedules.fromQuartz("20 30 * * * ?")).isEmpty(); // seconds
    assertThat(DatabricksSchedules.fromQuartz("0 0 12 L * ?")).isEmpty();
  }

  @Test
  void theEmulatorRejectsBadSchedulesLikeTheService() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    WorkspaceClient w =
        new WorkspaceClients(
                EmulatedTargets.settings(emulator, DatabricksEmulator.VOLUME_ARTIFACTS))
            .get();
    long id = Long.parseLong(d.jobId());
    assertThatThrownBy(
            () ->
                w.jobs()
                    .update(
                        new UpdateJob()
                            .setJobId(id)
                            .setNewSettings(
                                new JobSettings()
                                    .setSchedule(
                                        new CronSchedule()
                                            .setQuartzCronExpression("0 6 * * *")
                                            .setTimezoneId("Europe/London")))))
        .hasMessageContaining("Invalid Quartz Cron Expression");
    assertThatThrownBy(
            () ->
                w.jobs()
                    .update(
                        new UpdateJob()
                            .setJobId(id)
                            .setNewSettings(
                                new JobSettings()
                                    .setSchedule(
                                        new CronSchedule()
                                            .setQuartzCronExpression("0 0 6 * * ?")
                                            .setTimezoneId("Mars/Olympus")))))
        .hasMessageContaining("Invalid timezone_id");
    assertThat(settings(d).has("schedule")).isFalse();
  }

  @Test
  void theEmulatorFiresUnpausedSchedulesForTheTimeItIsGiven() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    deployer.setSchedule(
        d.jobId(), JobSchedule.cron("30 6 * * MON-FRI", ZoneId.of("Europe/London")));
    // Fri 2026-11-27 00:00Z .. Tue 2026-12-01 12:00Z: Fri, Mon and Tue at 06:30 London (= UTC)
    List<Long> fired =
        emulator.fireSchedules(
            Instant.parse("2026-11-27T00:00:00Z"), Instant.parse("2026-12-01T12:00:00Z"));
    assertThat(fired).hasSize(3);
    JsonNode first = emulator.run(fired.get(0)).orElseThrow();
    assertThat(first.path("trigger").asText()).isEqualTo("PERIODIC");
    assertThat(first.path("job_id").asLong()).isEqualTo(Long.parseLong(d.jobId()));
    // the fired run runs the deployed app for real
    dev.kindling.core.run.JobStatus status =
        deployer.awaitRun(Long.toString(fired.get(0)), Duration.ofMinutes(1));
    assertThat(status.state())
        .as(status.error().orElse("") + " " + emulator.run(fired.get(0)).orElseThrow())
        .isEqualTo(dev.kindling.core.run.RunState.SUCCEEDED);

    deployer.pauseSchedule(d.jobId());
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-12-01T12:00:00Z"), Instant.parse("2026-12-08T12:00:00Z")))
        .isEmpty();
  }
}
