package dev.kindling.testkit.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.emulator.WindowsZoneIds;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * When a Fabric item job schedule ({@code ScheduleConfig}, platform-apis.md §2.9) fires: {@code
 * Cron} every {@code interval} minutes from {@code startDateTime}; {@code Daily}, {@code Weekly}
 * and {@code Monthly} at each of {@code times}, a wall-clock time in {@code localTimeZoneId} (a
 * time in a DST gap fires as the zone's rules move it, a time repeated in an overlap fires once, at
 * its first occurrence); never before {@code startDateTime} nor after {@code endDateTime}.
 */
final class FabricScheduleFirings {
  private FabricScheduleFirings() {}

  /** The firings in {@code (from, to]}, in order. */
  static List<Instant> between(JsonNode c, Instant from, Instant to) {
    Instant start = Instant.parse(c.path("startDateTime").asText());
    Instant end = Instant.parse(c.path("endDateTime").asText());
    Instant lo = from.isBefore(start) ? start.minusNanos(1) : from; // start itself may fire
    Instant hi = to.isAfter(end) ? end : to;
    List<Instant> out = new ArrayList<>();
    if (!hi.isAfter(lo)) {
      return out;
    }
    String type = c.path("type").asText();
    if (type.equals("Cron")) {
      Duration every = Duration.ofMinutes(c.path("interval").asLong());
      long k = Math.max(0, Duration.between(start, lo).dividedBy(every));
      for (Instant t = start.plus(every.multipliedBy(k)); !t.isAfter(hi); t = t.plus(every)) {
        if (t.isAfter(lo)) {
          out.add(t);
        }
      }
      return out;
    }
    ZoneId zone = WindowsZoneIds.require(c.path("localTimeZoneId").asText());
    List<LocalTime> times = new ArrayList<>();
    c.path("times").forEach(t -> times.add(LocalTime.parse(t.asText())));
    times.sort(null);
    Set<DayOfWeek> weekdays = EnumSet.noneOf(DayOfWeek.class);
    c.path("weekdays")
        .forEach(d -> weekdays.add(DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT))));
    LocalDate startDay = start.atZone(zone).toLocalDate();
    LocalDate last = hi.atZone(zone).toLocalDate();
    for (LocalDate day = lo.atZone(zone).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
      boolean fires =
          switch (type) {
            case "Daily" -> true;
            case "Weekly" -> weekdays.contains(day.getDayOfWeek());
            case "Monthly" -> monthly(c, startDay, day);
            default -> false;
          };
      if (!fires) {
        continue;
      }
      for (LocalTime time : times) {
        Instant t = ZonedDateTime.of(day, time, zone).toInstant();
        if (t.isAfter(lo) && !t.isAfter(hi)) {
          out.add(t);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Whether a Monthly schedule runs on {@code day}: every {@code recurrence} months from start. */
  private static boolean monthly(JsonNode c, LocalDate startDay, LocalDate day) {
    long months = ChronoUnit.MONTHS.between(startDay.withDayOfMonth(1), day.withDayOfMonth(1));
    if (months < 0 || months % Math.max(1, c.path("recurrence").asInt(1)) != 0) {
      return false;
    }
    JsonNode occ = c.path("occurrence");
    if (occ.path("occurrenceType").asText().equals("DayOfMonth")) {
      return day.getDayOfMonth() == occ.path("dayOfMonth").asInt(); // months without it: none
    }
    DayOfWeek weekday = DayOfWeek.valueOf(occ.path("weekday").asText().toUpperCase(Locale.ROOT));
    int n =
        List.of("First", "Second", "Third", "Fourth", "Fifth")
                .indexOf(occ.path("weekIndex").asText())
            + 1;
    LocalDate nth = day.with(TemporalAdjusters.dayOfWeekInMonth(n, weekday));
    return nth.getMonth() == day.getMonth() && nth.equals(day);
  }
}
