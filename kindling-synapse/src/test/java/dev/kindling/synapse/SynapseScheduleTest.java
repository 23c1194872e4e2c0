package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synapse schedules: a pipeline around the job definition plus a started ScheduleTrigger. */
class SynapseScheduleTest {
  private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");
  private static final ZoneId LONDON = ZoneId.of("Europe/London");

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

  private DeploymentResult deploy(JobConfig.Builder config) throws IOException {
    Path dir = Files.createDirectories(apps.resolve("sched-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: sched-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('hi')\n");
    return deployer.deployAsJob(dir, config.jobName("nightly").build());
  }

  private JsonNode recurrence() {
    return emulator
        .trigger("nightly_schedule")
        .orElseThrow()
        .path("properties")
        .path("typeProperties")
        .path("recurrence");
  }

  private String state() {
    return emulator
        .trigger("nightly_schedule")
        .orElseThrow()
        .path("properties")
        .path("runtimeState")
        .asText();
  }

  @Test
  void deployCreatesThePipelineAndAStartedWeeklyTrigger() throws IOException {
    DeploymentResult d =
        deploy(JobConfig.builder().schedule(JobSchedule.cron("0,30 6 * * MON,FRI", LONDON)));
    JsonNode activity =
        emulator
            .pipeline("nightly_schedule")
            .orElseThrow()
            .path("properties")
            .path("activities")
            .get(0);
    assertThat(activity.path("type").asText()).isEqualTo("SparkJob");
    assertThat(activity.path("typeProperties").path("sparkJob").toString())
        .isEqualTo("{\"type\":\"SparkJobDefinitionReference\",\"referenceName\":\"nightly\"}");

    JsonNode trigger = emulator.trigger("nightly_schedule").orElseThrow().path("properties");
    assertThat(trigger.path("type").asText()).isEqualTo("ScheduleTrigger");
    assertThat(trigger.path("pipelines").get(0).path("pipelineReference").toString())
        .isEqualTo("{\"type\":\"PipelineReference\",\"referenceName\":\"nightly_schedule\"}");
    JsonNode rec = recurrence();
    assertThat(rec.path("frequency").asText()).isEqualTo("Week");
    assertThat(rec.path("interval").asInt()).isEqualTo(1);
    assertThat(rec.path("timeZone").asText()).isEqualTo("GMT Standard Time");
    assertThat(rec.path("startTime").asText()).isEqualTo("2026-11-27T05:00"); // local, no offset
    assertThat(rec.path("schedule").toString())
        .isEqualTo("{\"minutes\":[0,30],\"hours\":[6],\"weekDays\":[\"Monday\",\"Friday\"]}");
    assertThat(state()).isEqualTo("Started"); // started explicitly after creation

    ScheduleInfo info = deployer.getSchedule(d.jobId()).orElseThrow();
    assertThat(info.enabled()).isTrue();
    JobSchedule back = info.schedule().orElseThrow();
    assertThat(back.cron().orElseThrow().text()).isEqualTo("0,30 6 * * MON,FRI");
    assertThat(back.zone()).isEqualTo(LONDON);
    assertThat(back.start()).contains(NOW);
    assertThat(emulator.journal().requests("POST", "/triggers/nightly_schedule/start")).hasSize(1);
  }

  @Test
  void changingAStartedTriggerStopsItFirstAndIntervalsUseMinuteHourDay() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    deployer.setSchedule(d.jobId(), JobSchedule.every(Duration.ofMinutes(45)));
    assertThat(recurrence().path("frequency").asText()).isEqualTo("Minute");
    assertThat(recurrence().path("interval").asInt()).isEqualTo(45);
    assertThat(recurrence().path("timeZone").asText()).isEqualTo("UTC");
    assertThat(recurrence().path("startTime").asText()).isEqualTo("2026-11-27T05:00:00Z");

    deployer.setSchedule(
        d.jobId(),
        JobSchedule.every(Duration.ofHours(6)).withEnd(Instant.parse("2027-01-01T00:00:00Z")));
    assertThat(recurrence().path("frequency").asText()).isEqualTo("Hour");
    assertThat(recurrence().path("interval").asInt()).isEqualTo(6);
    assertThat(recurrence().path("endTime").asText()).isEqualTo("2027-01-01T00:00:00Z");
    assertThat(state()).isEqualTo("Started");
    assertThat(emulator.journal().requests("POST", "/triggers/nightly_schedule/stop")).hasSize(1);
  }

  @Test
  void pauseStopsResumeStartsRemoveDeletesTriggerAndPipeline() throws IOException {
    DeploymentResult d = deploy(JobConfig.builder());
    assertThat(deployer.getSchedule(d.jobId())).isEmpty();
    assertThat(deployer.pauseSchedule(d.jobId())).isFalse();
    deployer.setSchedule(d.jobId(), JobSchedule.cron("15 2 1 * *", LONDON).withEnabled(false));
    assertThat(recurrence().path("frequency").asText()).isEqualTo("Month");
    assertThat(recurrence().path("schedule").path("monthDays").toString()).isEqualTo("[1]");
    assertThat(state()).isEqualTo("Stopped");
    assertThat(deployer.getSchedule(d.jobId()).orElseThrow().enabled()).isFalse();

    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();
    assertThat(state()).isEqualTo("Started");
    assertThat(deployer.pauseSchedule(d.jobId())).isTrue();
    assertThat(state()).isEqualTo("Stopped");
    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();

    assertThat(deployer.removeSchedule(d.jobId())).isTrue(); // stops, then deletes
    assertThat(emulator.trigger("nightly_schedule")).isEmpty();
    assertThat(emulator.pipeline("nightly_schedule")).isEmpty();
    assertThat(deployer.removeSchedule(d.jobId())).isFalse();
  }

  @Test
  void unrepresentableSchedulesAndMissingJobsFailBeforeChangingAnything() throws IOException {
    assertThatThrownBy(
            () ->
                deploy(
                    JobConfig.builder()
                        .schedule(
                            JobSchedule.fromMap(
                                Map.of("cron", "0 6 1 JAN MON", "time_zone", "Antarctica/Troll"),
                                "s"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job config: schedule.time_zone")
        .hasMessageContaining("cannot skip months")
        .hasMessageContaining("both the day of month and the day of week");
    assertThat(emulator.journal().isEmpty()).isTrue();

    assertThatThrownBy(() -> deployer.setSchedule("nope", JobSchedule.every(Duration.ofHours(1))))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("nope");
    assertThat(emulator.pipeline("nope_schedule")).isEmpty();
  }
}
