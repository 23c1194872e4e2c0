package dev.kindling.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.azure.WindowsZones;
import dev.kindling.core.error.Problems;
import dev.kindling.core.schedule.CronExpression;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Converts {@link JobSchedule}s to a Synapse pipeline wrapping the job's Spark job definition and a
 * {@code ScheduleTrigger} on it (platform-apis.md §4.8): a fixed interval becomes a recurrence of
 * {@code Minute}, {@code Hour} or {@code Day} frequency; a cron expression a {@code Day}, {@code
 * Week} (weekdays restricted) or {@code Month} (days of month restricted) recurrence whose {@code
 * schedule} lists its hours and minutes. Zones become Windows ids; months and both day fields
 * cannot be represented.
 */
final class SynapseSchedules {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SynapseSchedules() {}

  /** The pipeline that runs job {@code job}. */
  static String pipelineName(String job) {
    return job + "_schedule";
  }

  /** The trigger that starts the pipeline of {@code job}. */
  static String triggerName(String job) {
    return job + "_schedule";
  }

  /** The pipeline resource: one SparkJob activity referencing the definition. */
  static ObjectNode pipeline(String job) {
    ObjectNode resource = JSON.createObjectNode();
    ObjectNode props = resource.putObject("properties");
    props.put("description", "Runs Spark job definition " + job + " on its Kindling schedule");
    ObjectNode activity = props.putArray("activities").addObject();
    activity.put("name", "run");
    activity.put("type", "SparkJob");
    activity.putArray("dependsOn");
    ObjectNode sparkJob = activity.putObject("typeProperties").putObject("sparkJob");
    sparkJob.put("type", "SparkJobDefinitionReference");
    sparkJob.put("referenceName", job);
    return resource;
  }

  /**
   * The trigger resource, or empty with the problems added (at {@code location.key}) when the
   * schedule cannot be represented.
   */
  static Optional<ObjectNode> trigger(
      String job, JobSchedule s, Instant now, String location, Problems problems) {
    int before = problems.asList().size();
    Optional<String> zone = WindowsZones.toWindows(s.zone());
    if (zone.isEmpty()) {
      problems.add(
          location + ".time_zone",
          "Synapse cannot represent time zone `"
              + s.zone().getId()
              + "`: schedule triggers take Windows time-zone ids and Kindling knows none for it",
          WindowsZones.missingFix(s.zone()));
    }
    ObjectNode recurrence = JSON.createObjectNode();
    if (s.every().isPresent()) {
      long minutes = s.every().get().toMinutes();
      if (minutes % 1440 == 0) {
        recurrence.put("frequency", "Day").put("interval", minutes / 1440);
      } else if (minutes % 60 == 0) {
        recurrence.put("frequency", "Hour").put("interval", minutes / 60);
      } else {
        recurrence.put("frequency", "Minute").put("interval", minutes);
      }
    } else {
      CronExpression cron = s.cron().orElseThrow();
      String text = "`" + cron.text() + "`";
      if (!cron.everyMonth()) {
        problems.add(
            location + ".cron",
            "Synapse cannot represent " + text + ": schedule triggers cannot skip months",
            "use `*` for the month field");
      }
      if (cron.restrictsDayOfMonth() && cron.restrictsDayOfWeek()) {
        problems.add(
            location + ".cron",
            "Synapse cannot represent "
                + text
                + ": it restricts both the day of month and the day of week",
            "restrict only one of them");
      }
      ObjectNode schedule = JSON.createObjectNode();
      ArrayNode minutes = schedule.putArray("minutes");
      cron.minutes().forEach(minutes::add);
      ArrayNode hours = schedule.putArray("hours");
      cron.hours().forEach(hours::add);
      if (cron.restrictsDayOfWeek()) {
        recurrence.put("frequency", "Week");
        ArrayNode days = schedule.putArray("weekDays");
        cron.daysOfWeek().forEach(d -> days.add(d.getDisplayName(TextStyle.FULL, Locale.ENGLISH)));
      } else if (cron.restrictsDayOfMonth()) {
        recurrence.put("frequency", "Month");
        ArrayNode days = schedule.putArray("monthDays");
        cron.daysOfMonth().forEach(days::add);
      } else {
        recurrence.put("frequency", "Day");
      }
      recurrence.put("interval", 1);
      recurrence.set("schedule", schedule);
    }
    recurrence.put("startTime", time(s.start().orElse(now), s.zone()));
    s.end().ifPresent(e -> recurrence.put("endTime", time(e, s.zone())));
    recurrence.put("timeZone", zone.orElse(""));
    if (problems.asList().size() > before) {
      return Optional.empty();
    }
    ObjectNode resource = JSON.createObjectNode();
    ObjectNode props = resource.putObject("properties");
    props.put("type", "ScheduleTrigger");
    props.put("description", "Kindling schedule of " + job + ": " + s.describe());
    ObjectNode ref = props.putArray("pipelines").addObject();
    ref.putObject("pipelineReference")
        .put("type", "PipelineReference")
        .put("referenceName", pipelineName(job));
    ref.putObject("parameters");
    props.putObject("typeProperties").set("recurrence", recurrence);
    return Optional.of(resource);
  }

  /**
   * A trigger time: {@code yyyy-MM-ddTHH:mm:ssZ} in UTC, else the local time in the zone without an
   * offset, as schedule triggers with a {@code timeZone} expect.
   */
  static String time(Instant t, ZoneId zone) {
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    if (zone.equals(ZoneOffset.UTC) || zone.getId().equals("UTC")) {
      return s.toString();
    }
    return LocalDateTime.ofInstant(s, zone).toString();
  }

  /** A trigger resource in Kindling's terms. */
  @SuppressWarnings("unchecked")
  static ScheduleInfo info(String job, JsonNode trigger) {
    JsonNode props = trigger.path("properties");
    boolean enabled = "Started".equals(props.path("runtimeState").asText());
    JsonNode rec = props.path("typeProperties").path("recurrence");
    String frequency = rec.path("frequency").asText("");
    long interval = rec.path("interval").asLong(1);
    String windowsZone = rec.path("timeZone").asText("UTC");
    Optional<ZoneId> zone = WindowsZones.fromWindows(windowsZone);
    JsonNode sched = rec.path("schedule");
    String summary =
        "Synapse ScheduleTrigger "
            + triggerName(job)
            + ": every "
            + interval
            + " "
            + frequency
            + (sched.isObject() && !sched.isEmpty() ? " " + sched : "")
            + " ("
            + windowsZone
            + "), "
            + props.path("runtimeState").asText("Stopped");
    Optional<JobSchedule> schedule = Optional.empty();
    try {
      if (!sched.isObject() || sched.isEmpty()) {
        Duration unit =
            switch (frequency) {
              case "Minute" -> Duration.ofMinutes(1);
              case "Hour" -> Duration.ofHours(1);
              case "Day" -> Duration.ofDays(1);
              case "Week" -> Duration.ofDays(7);
              default -> null;
            };
        if (unit != null && interval > 0) {
          schedule =
              Optional.of(
                  JobSchedule.every(unit.multipliedBy(interval)).withZone(zone.orElseThrow()));
        }
      } else if (interval == 1 && zone.isPresent()) {
        String dom = "*";
        String dow = "*";
        if (frequency.equals("Week")) {
          List<String> days = new ArrayList<>();
          sched
              .path("weekDays")
              .forEach(
                  d ->
                      days.add(
                          DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT))
                              .getDisplayName(TextStyle.SHORT, Locale.ENGLISH)
                              .toUpperCase(Locale.ROOT)));
          dow = String.join(",", days);
        } else if (frequency.equals("Month")) {
          dom = join(sched.path("monthDays"));
        } else if (!frequency.equals("Day")) {
          throw new IllegalArgumentException(frequency);
        }
        String expression =
            join(sched.path("minutes")) + " " + join(sched.path("hours")) + " " + dom + " * " + dow;
        schedule = Optional.of(JobSchedule.cron(expression, zone.get()));
      }
      if (schedule.isPresent()) {
        JobSchedule js = schedule.get().withEnabled(enabled);
        ZoneId z = js.zone();
        Optional<Instant> start = parse(rec.path("startTime").asText(""), z);
        Optional<Instant> end = parse(rec.path("endTime").asText(""), z);
        js = js.withStart(start.orElse(null)).withEnd(end.orElse(null));
        schedule = Optional.of(js);
      }
    } catch (IllegalArgumentException | DateTimeException | java.util.NoSuchElementException e) {
      schedule = Optional.empty();
    }
    Map<String, Object> definition = JSON.convertValue(trigger, Map.class);
    return new ScheduleInfo(job, enabled, schedule, summary, definition);
  }

  private static Optional<Instant> parse(String text, ZoneId zone) {
    return text.isEmpty() ? Optional.empty() : JobSchedule.parseTime(text, zone);
  }

  private static String join(JsonNode values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asText()));
    if (out.isEmpty()) {
      throw new IllegalArgumentException("empty schedule field");
    }
    return String.join(",", out);
  }
}
