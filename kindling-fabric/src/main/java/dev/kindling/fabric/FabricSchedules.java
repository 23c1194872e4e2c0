package dev.kindling.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.azure.WindowsZones;
import dev.kindling.core.error.Problems;
import dev.kindling.core.schedule.CronExpression;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Converts {@link JobSchedule}s to Fabric item schedules and back (platform-apis.md §2.9): a fixed
 * interval becomes {@code Cron} (interval in minutes), a cron expression {@code Daily} (every day),
 * {@code Weekly} (weekdays restricted) or {@code Monthly} (one day of the month), with the times of
 * day as the product of its hours and minutes (at most 100). IANA zones become Windows ids. What
 * Fabric cannot express (months, several days of the month, both day fields, more than 100 times a
 * day, a zone without a Windows id) is a problem, reported before any call.
 */
final class FabricSchedules {
  static final String JOB_TYPE = "sparkjob";
  static final int MAX_TIMES = 100;
  static final long MAX_INTERVAL_MINUTES = 5_270_400;

  /** Fabric requires an end; a schedule without one ends this long after its start. */
  static final Duration DEFAULT_SPAN = Duration.ofDays(3650);

  private static final ObjectMapper JSON = new ObjectMapper();

  private FabricSchedules() {}

  /**
   * The {@code configuration} of a create or update request, or empty with the problems added
   * (located at {@code location.key}).
   */
  static Optional<ObjectNode> configuration(
      JobSchedule s, Instant now, String location, Problems problems) {
    int before = problems.asList().size();
    ObjectNode c = JSON.createObjectNode();
    Optional<String> zone = WindowsZones.toWindows(s.zone());
    if (zone.isEmpty()) {
      problems.add(
          location + ".time_zone",
          "Fabric cannot represent time zone `"
              + s.zone().getId()
              + "`: it takes Windows time-zone ids and Kindling knows no Windows id for it",
          WindowsZones.missingFix(s.zone()));
    }
    if (s.every().isPresent()) {
      long minutes = s.every().get().toMinutes();
      if (minutes > MAX_INTERVAL_MINUTES) {
        problems.add(
            location + ".every",
            "Fabric intervals are at most " + MAX_INTERVAL_MINUTES + " minutes (10 years)",
            "use a shorter interval");
      }
      c.put("type", "Cron");
      c.put("interval", minutes);
    } else {
      CronExpression cron = s.cron().orElseThrow();
      String at = location + ".cron";
      String text = "`" + cron.text() + "`";
      if (!cron.everyMonth()) {
        problems.add(
            at,
            "Fabric cannot represent " + text + ": its schedules cannot be limited to some months",
            "use `*` for the month field");
      }
      if (cron.restrictsDayOfMonth() && cron.restrictsDayOfWeek()) {
        problems.add(
            at,
            "Fabric cannot represent "
                + text
                + ": it restricts both the day of month and the day of week",
            "restrict only one of them");
      } else if (cron.restrictsDayOfMonth() && cron.daysOfMonth().size() > 1) {
        problems.add(
            at,
            "Fabric cannot represent "
                + text
                + ": Monthly schedules run on one day of the month, not "
                + cron.daysOfMonth().size(),
            "use a single day, or one schedule per day");
      }
      int count = cron.hours().size() * cron.minutes().size();
      if (count > MAX_TIMES) {
        problems.add(
            at,
            "Fabric cannot represent "
                + text
                + ": it fires "
                + count
                + " times a day and Fabric schedules allow at most "
                + MAX_TIMES
                + " times of day",
            "use a fixed interval instead, e.g. every: " + interval(cron));
      }
      ArrayNode times = c.arrayNode();
      for (int h : cron.hours()) {
        for (int m : cron.minutes()) {
          times.add(String.format(Locale.ROOT, "%02d:%02d", h, m));
        }
      }
      if (cron.restrictsDayOfWeek() && !cron.restrictsDayOfMonth()) {
        c.put("type", "Weekly");
        ArrayNode days = c.putArray("weekdays");
        cron.daysOfWeek().forEach(d -> days.add(d.getDisplayName(TextStyle.FULL, Locale.ENGLISH)));
        c.set("times", times);
      } else if (cron.restrictsDayOfMonth()) {
        c.put("type", "Monthly");
        c.put("recurrence", 1);
        ObjectNode occ = c.putObject("occurrence");
        occ.put("occurrenceType", "DayOfMonth");
        occ.put("dayOfMonth", cron.daysOfMonth().get(0));
        c.set("times", times);
      } else {
        c.put("type", "Daily");
        c.set("times", times);
      }
    }
    Instant start = s.start().orElse(now).truncatedTo(ChronoUnit.SECONDS);
    Instant end = s.end().orElse(start.plus(DEFAULT_SPAN)).truncatedTo(ChronoUnit.SECONDS);
    c.put("startDateTime", start.toString());
    c.put("endDateTime", end.toString());
    c.put("localTimeZoneId", zone.orElse(""));
    return problems.asList().size() > before ? Optional.empty() : Optional.of(c);
  }

  private static String interval(CronExpression cron) {
    List<Integer> m = cron.minutes();
    if (m.size() > 1) {
      return (m.get(1) - m.get(0)) + "m";
    }
    return "1h";
  }

  /** A create/update request body. */
  static ObjectNode request(boolean enabled, ObjectNode configuration) {
    ObjectNode body = JSON.createObjectNode();
    body.put("enabled", enabled);
    body.set("configuration", configuration);
    return body;
  }

  /** An {@code ItemSchedule} in Kindling's terms. */
  @SuppressWarnings("unchecked")
  static ScheduleInfo info(String jobId, JsonNode item) {
    JsonNode c = item.path("configuration");
    boolean enabled = item.path("enabled").asBoolean(false);
    String type = c.path("type").asText("");
    String windowsZone = c.path("localTimeZoneId").asText("");
    List<String> times = new ArrayList<>();
    c.path("times").forEach(t -> times.add(t.asText()));
    String summary;
    Optional<JobSchedule> schedule = Optional.empty();
    Optional<ZoneId> zone = WindowsZones.fromWindows(windowsZone);
    switch (type) {
      case "Cron" -> {
        long minutes = c.path("interval").asLong();
        summary = "Fabric Cron every " + minutes + " minutes";
        if (minutes > 0) {
          schedule = Optional.of(JobSchedule.every(Duration.ofMinutes(minutes)));
        }
      }
      case "Daily" -> {
        summary = "Fabric Daily at " + String.join(", ", times);
        schedule = cron(times, "*", "*", zone);
      }
      case "Weekly" -> {
        List<String> days = new ArrayList<>();
        c.path("weekdays").forEach(d -> days.add(d.asText()));
        summary = "Fabric Weekly on " + String.join(", ", days) + " at " + String.join(", ", times);
        List<String> abbreviations = new ArrayList<>();
        for (String d : days) {
          try {
            abbreviations.add(
                DayOfWeek.valueOf(d.toUpperCase(Locale.ROOT))
                    .getDisplayName(TextStyle.SHORT, Locale.ENGLISH)
                    .toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            abbreviations.clear();
            break;
          }
        }
        if (!abbreviations.isEmpty()) {
          schedule = cron(times, "*", String.join(",", abbreviations), zone);
        }
      }
      case "Monthly" -> {
        JsonNode occ = c.path("occurrence");
        int every = c.path("recurrence").asInt(1);
        String on =
            "DayOfMonth".equals(occ.path("occurrenceType").asText())
                ? "day " + occ.path("dayOfMonth").asInt()
                : occ.path("weekIndex").asText() + " " + occ.path("weekday").asText();
        summary =
            "Fabric Monthly (every "
                + every
                + " month"
                + (every == 1 ? "" : "s")
                + ") on "
                + on
                + " at "
                + String.join(", ", times);
        if (every == 1 && "DayOfMonth".equals(occ.path("occurrenceType").asText())) {
          schedule = cron(times, String.valueOf(occ.path("dayOfMonth").asInt()), "*", zone);
        }
      }
      default -> summary = "Fabric " + (type.isEmpty() ? "schedule of unknown type" : type);
    }
    summary += " (" + (windowsZone.isEmpty() ? "no time zone" : windowsZone) + ")";
    if (schedule.isPresent()) {
      JobSchedule s = schedule.get();
      if (s.every().isPresent() && zone.isPresent()) {
        s = s.withZone(zone.get());
      }
      s = s.withStart(time(c.path("startDateTime").asText(""))).withEnabled(enabled);
      Instant end = time(c.path("endDateTime").asText(""));
      schedule =
          Optional.of(
              end == null || (s.start().isPresent() && !end.isAfter(s.start().get()))
                  ? s
                  : s.withEnd(end));
    }
    if (!enabled) {
      summary += ", paused";
    }
    Map<String, Object> definition = JSON.convertValue(item, Map.class);
    return new ScheduleInfo(jobId, enabled, schedule, summary, definition);
  }

  /**
   * A cron schedule whose times of day are {@code times}, when they are an hours × minutes grid.
   */
  private static Optional<JobSchedule> cron(
      List<String> times, String dom, String dow, Optional<ZoneId> zone) {
    if (times.isEmpty() || zone.isEmpty()) {
      return Optional.empty();
    }
    TreeSet<Integer> hours = new TreeSet<>();
    TreeSet<Integer> minutes = new TreeSet<>();
    TreeSet<String> given = new TreeSet<>();
    for (String t : times) {
      String[] hm = t.split(":");
      if (hm.length != 2 || !hm[0].matches("[0-9]{1,2}") || !hm[1].matches("[0-9]{1,2}")) {
        return Optional.empty();
      }
      int h = Integer.parseInt(hm[0]);
      int m = Integer.parseInt(hm[1]);
      hours.add(h);
      minutes.add(m);
      given.add(String.format(Locale.ROOT, "%02d:%02d", h, m));
    }
    if (hours.size() * minutes.size() != given.size()) {
      return Optional.empty();
    }
    String expression = join(minutes) + " " + join(hours) + " " + dom + " * " + dow;
    try {
      return Optional.of(JobSchedule.cron(expression, zone.get()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String join(TreeSet<Integer> values) {
    return String.join(",", values.stream().map(String::valueOf).toList());
  }

  private static Instant time(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text.endsWith("Z") || text.contains("+") ? text : text + "Z");
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
