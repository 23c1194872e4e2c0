package dev.kindling.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobScheduleTest {
  @Test
  void readsACronScheduleWithLocalStartAndEnd() {
    JobSchedule s =
        JobSchedule.fromMap(
            Map.of(
                "cron", "0 6 * * MON-FRI",
                "time_zone", "Europe/London",
                "start", "2026-07-01T06:00",
                "end", "2027-01-01",
                "enabled", false),
            "schedule");
    assertThat(s.cron().orElseThrow().text()).isEqualTo("0 6 * * MON-FRI");
    assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/London"));
    assertThat(s.start()).contains(Instant.parse("2026-07-01T05:00:00Z"));
    assertThat(s.end()).contains(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(s.enabled()).isFalse();
    assertThat(JobSchedule.fromMap(s.toMap(), "again")).isEqualTo(s);
  }

  @Test
  void readsIntervals() {
    assertThat(JobSchedule.parseEvery("30m")).contains(Duration.ofMinutes(30));
    assertThat(JobSchedule.parseEvery("2h")).contains(Duration.ofHours(2));
    assertThat(JobSchedule.parseEvery("1d")).contains(Duration.ofDays(1));
    assertThat(JobSchedule.parseEvery("PT90M")).contains(Duration.ofMinutes(90));
    assertThat(JobSchedule.parseEvery("30s")).isEmpty();
    assertThat(JobSchedule.parseEvery("0m")).isEmpty();
    assertThat(JobSchedule.formatEvery(Duration.ofMinutes(90))).isEqualTo("90m");
    JobSchedule s = JobSchedule.fromMap(Map.of("every", "2h"), "schedule");
    assertThat(s.every()).contains(Duration.ofHours(2));
    assertThat(s.zone().getId()).isEqualTo("Z");
    assertThat(s.toMap()).containsEntry("time_zone", "UTC").containsEntry("every", "2h");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cron", "0 25 * * *");
    m.put("every", "10s");
    m.put("time_zone", "Mars/Olympus");
    m.put("start", "tomorrow");
    m.put("enabled", "yes");
    m.put("zone", "UTC");
    Problems problems = new Problems();
    assertThat(JobSchedule.fromMap(m, "job config: schedule", problems)).isEmpty();
    List<String> locations = problems.asList().stream().map(Problem::location).toList();
    assertThat(locations)
        .contains(
            "job config: schedule.zone",
            "job config: schedule",
            "job config: schedule.cron",
            "job config: schedule.every",
            "job config: schedule.time_zone",
            "job config: schedule.start",
            "job config: schedule.enabled");
    assertThat(problems.asList())
        .anySatisfy(p -> assertThat(p.fix()).contains("time_zone"))
        .anySatisfy(p -> assertThat(p.message()).contains("both `cron` and `every`"))
        .anySatisfy(p -> assertThat(p.message()).contains("unknown time zone `Mars/Olympus`"));
  }

  @Test
  void endMustBeAfterStart() {
    assertThatThrownBy(
            () ->
                JobSchedule.fromMap(
                    Map.of("every", "1h", "start", "2026-02-01", "end", "2026-01-01"), "schedule"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("schedule.end")
        .hasMessageContaining("before it starts");
    assertThat(
            JobSchedule.every(Duration.ofHours(1))
                .withStart(Instant.parse("2026-02-01T00:00:00Z"))
                .withEnd(Instant.parse("2026-01-01T00:00:00Z"))
                .problems("s"))
        .hasSize(1);
  }

  @Test
  void neitherCronNorEveryIsAProblem() {
    assertThatThrownBy(() -> JobSchedule.fromMap(Map.of("time_zone", "UTC"), "schedule"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("neither `cron` nor `every`");
  }

  @Test
  void isAJobConfigKey() {
    JobConfig c =
        JobConfig.fromMap(
            Map.of("job_name", "j", "schedule", Map.of("cron", "0 6 * * *", "time_zone", "UTC")));
    assertThat(c.schedule().orElseThrow().cron().orElseThrow().hours()).containsExactly(6);
    assertThat(c.toMap()).containsKey("schedule");
    assertThat(JobConfig.fromMap(c.toMap())).isEqualTo(c);
    assertThatThrownBy(() -> JobConfig.fromMap(Map.of("schedule", Map.of("cron", "0 6 * *"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job config: schedule.cron");
    assertThatThrownBy(() -> JobConfig.fromMap(Map.of("schedule", "daily")))
        .hasMessageContaining("`schedule` must be a mapping");
  }

  @Test
  void describesItself() {
    assertThat(JobSchedule.cron("0 6 * * *", ZoneId.of("Europe/London")).describe())
        .isEqualTo("cron \"0 6 * * *\" in Europe/London");
    assertThat(JobSchedule.every(Duration.ofMinutes(30)).withEnabled(false).describe())
        .isEqualTo("every 30m (paused)");
    assertThatThrownBy(() -> JobSchedule.every(Duration.ofSeconds(90)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
