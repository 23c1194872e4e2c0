package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fabric item job schedules: conversion, and the REST calls against the emulator. */
class FabricScheduleTest {
  private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");
  private static final String SCHEDULES =
      "/v1/workspaces/[^/]+/items/[^/]+/jobs/sparkjob/schedules.*";

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

  private DeploymentResult deploy(JobConfig config) throws Exception {
    Path dir = Files.createDirectories(apps.resolve("sched-app"));
    Files.writeString(dir.resolve("app.yaml"), "name: sched-app\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('hi')\n");
    return deployer.deployAsJob(dir, config);
  }

  private static ObjectNode convert(JobSchedule s) {
    Problems problems = new Problems();
    ObjectNode c = FabricSchedules.configuration(s, NOW, "schedule", problems).orElse(null);
    problems.throwIfAny();
    return c;
  }

  private static List<Problem> problemsOf(JobSchedule s) {
    Problems problems = new Problems();
    FabricSchedules.configuration(s, NOW, "schedule", problems);
    return problems.asList();
  }

  private static final ZoneId LONDON = ZoneId.of("Europe/London");

  @Test
  void dailyCronBecomesDailyWithWindowsZoneAndDefaultSpan() {
    ObjectNode c = convert(JobSchedule.cron("0,30 6,18 * * *", LONDON));
    assertThat(c.path("type").asText()).isEqualTo("Daily");
    assertThat(c.path("times").toString()).isEqualTo("[\"06:00\",\"06:30\",\"18:00\",\"18:30\"]");
    assertThat(c.path("localTimeZoneId").asText()).isEqualTo("GMT Standard Time");
    assertThat(c.path("startDateTime").asText()).isEqualTo("2026-11-27T05:00:00Z");
    assertThat(c.path("endDateTime").asText()).isEqualTo("2036-11-24T05:00:00Z");
  }

  @Test
  void weekdaysBecomeWeeklyAndOneDayOfMonthMonthly() {
    ObjectNode weekly =
        convert(JobSchedule.cron("15 7 * * MON-FRI", ZoneId.of("America/New_York")));
    assertThat(weekly.path("type").asText()).isEqualTo("Weekly");
    assertThat(weekly.path("weekdays").toString())
        .isEqualTo("[\"Monday\",\"Tuesday\",\"Wednesday\",\"Thursday\",\"Friday\"]");
    assertThat(weekly.path("times").toString()).isEqualTo("[\"07:15\"]");
    assertThat(weekly.path("localTimeZoneId").asText()).isEqualTo("Eastern Standard Time");
    ObjectNode monthly = convert(JobSchedule.cron("0 2 1 * *", ZoneId.of("UTC")));
    assertThat(monthly.path("type").asText()).isEqualTo("Monthly");
    assertThat(monthly.path("recurrence").asInt()).isEqualTo(1);
    assertThat(monthly.path("occurrence").toString())
        .isEqualTo("{\"occurrenceType\":\"DayOfMonth\",\"dayOfMonth\":1}");
    assertThat(monthly.path("localTimeZoneId").asText()).isEqualTo("UTC");
  }

  @Test
  void intervalsBecomeCronMinutes() {
    ObjectNode c =
        convert(
            JobSchedule.every(Duration.ofHours(2))
                .withStart(Instant.parse("2026-12-01T00:00:00Z"))
                .withEnd(Instant.parse("2027-01-01T00:00:00Z")));
    assertThat(c.path("type").asText()).isEqualTo("Cron");
    assertThat(c.path("interval").asInt()).isEqualTo(120);
    assertThat(c.path("startDateTime").asText()).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(c.path("endDateTime").asText()).isEqualTo("2027-01-01T00:00:00Z");
  }

  @Test
  void unrepresentableSchedulesSayWhyAllAtOnce() {
    List<Problem> p =
        problemsOf(JobSchedule.cron("*/5 * 1,15 JAN * ", ZoneId.of("Antarctica/Troll")));
    assertThat(p)
        .extracting(Problem::location)
        .containsExactly("schedule.time_zone", "schedule.cron", "schedule.cron", "schedule.cron");
    assertThat(p.get(0).message()).contains("`Antarctica/Troll`").contains("Windows");
    assertThat(p.get(1).message()).contains("months");
    assertThat(p.get(2).message()).contains("one day of the month");
    assertThat(p.get(3).message()).contains("288 times a day").contains("at most 100");
    assertThat(p.get(3).fix()).contains("every: 5m");
    assertThat(problemsOf(JobSchedule.cron("0 6 13 * FRI", LONDON)).get(0).message())
        .contains("both the day of month and the day of week");
    assertThat(problemsOf(JobSchedule.cron("*/15 * * * *", LONDON))).isEmpty(); // 96 slots
    assertThat(problemsOf(JobSchedule.every(Duration.ofDays(3700)))).hasSize(1);
  }

  @Test
  void deployCreatesTheScheduleAndShowReadsItBack() throws Exception {
    JobSchedule schedule = JobSchedule.cron("30 6 * * MON,WED", LONDON);
    DeploymentResult d = deploy(JobConfig.builder().jobName("nightly").schedule(schedule).build());

    List<JsonNode> stored = emulator.schedules(d.jobId());
    assertThat(stored).hasSize(1);
    JsonNode s = stored.get(0);
    assertThat(s.path("enabled").asBoolean()).isTrue();
    assertThat(s.path("configuration").path("type").asText()).isEqualTo("Weekly");
    assertThat(s.path("configuration").path("weekdays").toString())
        .isEqualTo("[\"Monday\",\"Wednesday\"]");
    assertThat(emulator.journal().requests("POST", SCHEDULES)).hasSize(1);

    ScheduleInfo info = deployer.getSchedule(d.jobId()).orElseThrow();
    assertThat(info.enabled()).isTrue();
    assertThat(info.summary())
        .isEqualTo("Fabric Weekly on Monday, Wednesday at 06:30 (GMT Standard Time)");
    JobSchedule back = info.schedule().orElseThrow();
    assertThat(back.cron().orElseThrow().text()).isEqualTo("30 6 * * MON,WED");
    assertThat(back.zone()).isEqualTo(LONDON);
    assertThat(back.start()).contains(NOW);
    assertThat(info.definition()).containsKey("configuration").containsEntry("enabled", true);
  }

  @Test
  void setAgainUpdatesInPlacePauseResumeAndRemove() throws Exception {
    DeploymentResult d = deploy(JobConfig.builder().jobName("nightly").build());
    assertThat(deployer.getSchedule(d.jobId())).isEmpty();
    assertThat(deployer.pauseSchedule(d.jobId())).isFalse();

    deployer.setSchedule(d.jobId(), JobSchedule.every(Duration.ofMinutes(45)));
    ScheduleInfo updated = deployer.setSchedule(d.jobId(), JobSchedule.cron("0 5 * * *", LONDON));
    assertThat(emulator.journal().requests("POST", SCHEDULES)).hasSize(1);
    assertThat(emulator.journal().requests("PATCH", SCHEDULES)).hasSize(1);
    assertThat(emulator.schedules(d.jobId())).hasSize(1);
    assertThat(updated.summary()).isEqualTo("Fabric Daily at 05:00 (GMT Standard Time)");

    assertThat(deployer.pauseSchedule(d.jobId())).isTrue();
    assertThat(emulator.schedules(d.jobId()).get(0).path("enabled").asBoolean()).isFalse();
    ScheduleInfo paused = deployer.getSchedule(d.jobId()).orElseThrow();
    assertThat(paused.enabled()).isFalse();
    assertThat(paused.summary()).endsWith(", paused");
    assertThat(paused.schedule().orElseThrow().cron().orElseThrow().text()).isEqualTo("0 5 * * *");

    assertThat(deployer.resumeSchedule(d.jobId())).isTrue();
    assertThat(emulator.schedules(d.jobId()).get(0).path("enabled").asBoolean()).isTrue();

    assertThat(deployer.removeSchedule(d.jobId())).isTrue();
    assertThat(emulator.schedules(d.jobId())).isEmpty();
    assertThat(deployer.removeSchedule(d.jobId())).isFalse();
  }

  @Test
  void aScheduleFabricCannotHoldFailsValidationBeforeAnyCall() throws Exception {
    JobConfig config =
        JobConfig.fromMap(
            Map.of(
                "job_name",
                "nightly",
                "schedule",
                Map.of("cron", "0 6 * 6 *", "time_zone", "Antarctica/Troll")));
    assertThatThrownBy(() -> deploy(config))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job config: schedule.cron")
        .hasMessageContaining("job config: schedule.time_zone");
    assertThat(emulator.journal().isEmpty()).isTrue();

    DeploymentResult d = deploy(JobConfig.builder().jobName("nightly").build());
    emulator.journal().clear();
    assertThatThrownBy(() -> deployer.setSchedule(d.jobId(), JobSchedule.cron("0 6 * 6 *", LONDON)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("months");
    assertThat(emulator.journal().isEmpty()).isTrue();
  }

  @Test
  void theEmulatorValidatesBodiesLikeTheService() throws Exception {
    DeploymentResult d = deploy(JobConfig.builder().jobName("nightly").build());
    FabricClient client =
        new FabricClient(
            dev.kindling.core.http.HttpClients.builder()
                .platform("fabric")
                .auth(
                    dev.kindling.core.http.StaticTokenProvider.of(
                        dev.kindling.core.config.Secret.of(emulator.apiToken())),
                    FabricPlatformService.API_SCOPE)
                .build(),
            okhttp3.HttpUrl.get(emulator.target().get("api_url").toString()),
            emulator.target().get("workspace_id").toString(),
            new ManualScheduler(NOW));
    ObjectNode c = convert(JobSchedule.cron("0 6 * * *", LONDON));
    c.put("localTimeZoneId", "Europe/London");
    c.put("endDateTime", "2020-01-01T00:00:00Z");
    assertThatThrownBy(() -> client.createSchedule(d.jobId(), FabricSchedules.request(true, c)))
        .hasMessageContaining("InvalidParameter")
        .hasMessageContaining("not a Windows time zone id")
        .hasMessageContaining("end time must be later");
    assertThat(emulator.schedules(d.jobId())).isEmpty();
  }
}
