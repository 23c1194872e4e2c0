package dev.kindling.databricks;

import com.databricks.sdk.service.jobs.CronSchedule;
import com.databricks.sdk.service.jobs.JobSettings;
import com.databricks.sdk.service.jobs.PauseStatus;
import com.databricks.sdk.service.jobs.PeriodicTriggerConfiguration;
import com.databricks.sdk.service.jobs.PeriodicTriggerConfigurationTimeUnit;
import com.databricks.sdk.service.jobs.TriggerSettings;
import dev.kindling.core.error.Problems;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Converts {@link JobSchedule}s to Databricks job settings (platform-apis.md §3.9): a cron
 * expression becomes {@code schedule} (Quartz cron with a seconds field, the IANA zone as {@code
 * timezone_id}), a fixed interval {@code trigger.periodic} (MINUTES, HOURS, DAYS or WEEKS); {@code
 * enabled} is {@code pause_status}. Databricks schedules have no start or end, and Quartz cannot
 * restrict both day fields: both are reported as problems.
 */
final class DatabricksSchedules {
  private static final String[] QUARTZ_DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  private DatabricksSchedules() {}

  /** The settings fields to send; empty with the problems added when it cannot be represented. */
  static Optional<JobSettings> settings(JobSchedule s, String location, Problems problems) {
    int before = problems.asList().size();
    if (s.start().isPresent() || s.end().isPresent()) {
      problems.add(
          location + (s.start().isPresent() ? ".start" : ".end"),
          "Databricks cannot represent a schedule's start or end: job schedules run until paused",
          "remove start and end, and pause or remove the schedule when it should stop");
    }
    PauseStatus pause = s.enabled() ? PauseStatus.UNPAUSED : PauseStatus.PAUSED;
    JobSettings out = new JobSettings();
    if (s.cron().isPresent()) {
      Optional<String> quartz = s.cron().get().toQuartz();
      if (quartz.isEmpty()) {
        problems.add(
            location + ".cron",
            "Databricks cannot represent `"
                + s.cron().get().text()
                + "`: Quartz cron cannot restrict both the day of month and the day of week",
            "restrict only one of them");
      } else {
        out.setSchedule(
            new CronSchedule()
                .setQuartzCronExpression(quartz.get())
                .setTimezoneId(zoneId(s.zone()))
                .setPauseStatus(pause));
      }
    } else {
      long minutes = s.every().orElseThrow().toMinutes();
      PeriodicTriggerConfigurationTimeUnit unit;
      long interval;
      if (minutes % (7 * 1440) == 0) {
        unit = PeriodicTriggerConfigurationTimeUnit.WEEKS;
        interval = minutes / (7 * 1440);
      } else if (minutes % 1440 == 0) {
        unit = PeriodicTriggerConfigurationTimeUnit.DAYS;
        interval = minutes / 1440;
      } else if (minutes % 60 == 0) {
        unit = PeriodicTriggerConfigurationTimeUnit.HOURS;
        interval = minutes / 60;
      } else {
        unit = PeriodicTriggerConfigurationTimeUnit.MINUTES;
        interval = minutes;
      }
      out.setTrigger(
          new TriggerSettings()
              .setPeriodic(new PeriodicTriggerConfiguration().setInterval(interval).setUnit(unit))
              .setPauseStatus(pause));
    }
    return problems.asList().size() > before ? Optional.empty() : Optional.of(out);
  }

  private static String zoneId(ZoneId zone) {
    return zone.getId().equals("Z") ? "UTC" : zone.getId();
  }

  /**
   * Whether the job settings hold a schedule Kindling manages ({@code schedule} or a periodic
   * trigger).
   */
  static boolean has(JobSettings s) {
    return s != null
        && (s.getSchedule() != null
            || (s.getTrigger() != null && s.getTrigger().getPeriodic() != null));
  }

  /** The schedule in job settings, in Kindling's terms; empty when there is none. */
  static Optional<ScheduleInfo> info(String jobId, JobSettings settings) {
    if (!has(settings)) {
      return Optional.empty();
    }
    Map<String, Object> definition = new LinkedHashMap<>();
    if (settings.getSchedule() != null) {
      CronSchedule c = settings.getSchedule();
      boolean enabled = c.getPauseStatus() != PauseStatus.PAUSED;
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("quartz_cron_expression", c.getQuartzCronExpression());
      d.put("timezone_id", c.getTimezoneId());
      d.put("pause_status", c.getPauseStatus() == null ? "UNPAUSED" : c.getPauseStatus().name());
      definition.put("schedule", d);
      Optional<JobSchedule> schedule =
          fromQuartz(c.getQuartzCronExpression())
              .flatMap(
                  five -> {
                    try {
                      return Optional.of(
                          JobSchedule.cron(five, ZoneId.of(c.getTimezoneId()))
                              .withEnabled(enabled));
                    } catch (IllegalArgumentException
                        | DateTimeException
                        | NullPointerException e) {
                      return Optional.empty();
                    }
                  });
      String summary =
          "Databricks schedule \""
              + c.getQuartzCronExpression()
              + "\" in "
              + c.getTimezoneId()
              + (enabled ? "" : ", paused");
      return Optional.of(new ScheduleInfo(jobId, enabled, schedule, summary, definition));
    }
    TriggerSettings t = settings.getTrigger();
    PeriodicTriggerConfiguration p = t.getPeriodic();
    boolean enabled = t.getPauseStatus() != PauseStatus.PAUSED;
    Map<String, Object> periodic = new LinkedHashMap<>();
    periodic.put("interval", p.getInterval());
    periodic.put("unit", p.getUnit() == null ? null : p.getUnit().name());
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("periodic", periodic);
    d.put("pause_status", t.getPauseStatus() == null ? "UNPAUSED" : t.getPauseStatus().name());
    definition.put("trigger", d);
    Optional<JobSchedule> schedule = Optional.empty();
    if (p.getInterval() != null && p.getInterval() > 0 && p.getUnit() != null) {
      Duration unit =
          switch (p.getUnit()) {
            case MINUTES -> Duration.ofMinutes(1);
            case HOURS -> Duration.ofHours(1);
            case DAYS -> Duration.ofDays(1);
            case WEEKS -> Duration.ofDays(7);
          };
      schedule =
          Optional.of(JobSchedule.every(unit.multipliedBy(p.getInterval())).withEnabled(enabled));
    }
    String summary =
        "Databricks periodic trigger every "
            + p.getInterval()
            + " "
            + (p.getUnit() == null ? "?" : p.getUnit().name().toLowerCase(Locale.ROOT))
            + (enabled ? "" : ", paused");
    return Optional.of(new ScheduleInfo(jobId, enabled, schedule, summary, definition));
  }

  /**
   * A Quartz expression as five-field cron, when it has no seconds other than 0 and no Quartz-only
   * syntax ({@code L}, {@code W}, {@code #}, a year).
   */
  static Optional<String> fromQuartz(String quartz) {
    if (quartz == null) {
      return Optional.empty();
    }
    String[] f = quartz.trim().toUpperCase(Locale.ROOT).split("\\s+");
    if (f.length < 6
        || (f.length == 7 && !f[6].equals("*"))
        || f.length > 7
        || !f[0].equals("0")
        || f[3].matches(".*[LW].*")
        || f[5].matches(".*(#|[0-9]L|^L$).*")) {
      return Optional.empty();
    }
    String dom = f[3].equals("?") ? "*" : f[3];
    String dow = f[5].equals("?") ? "*" : f[5];
    // Quartz numbers weekdays 1 (SUN) .. 7 (SAT); five-field cron 0 (SUN) .. 6 (SAT)
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dow.length(); i++) {
      char ch = dow.charAt(i);
      boolean stepValue = i > 0 && dow.charAt(i - 1) == '/';
      if (ch >= '1' && ch <= '7' && !stepValue) {
        b.append(QUARTZ_DAYS[ch - '1']);
      } else {
        b.append(ch);
      }
    }
    return Optional.of(f[1] + " " + f[2] + " " + dom + " " + f[4] + " " + b);
  }
}
