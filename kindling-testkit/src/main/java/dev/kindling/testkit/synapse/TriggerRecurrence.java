package dev.kindling.testkit.synapse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.emulator.WindowsZoneIds;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a {@code ScheduleTrigger}'s {@code recurrence} (platform-apis.md §4.8) fires. {@code Minute}
 * and {@code Hour} fire every {@code interval} units of elapsed time from {@code startTime}. {@code
 * Day}, {@code Week} and {@code Month} fire on every {@code interval}-th day, week (weeks start on
 * Sunday) or month from the start's, on the {@code schedule}'s {@code weekDays} / {@code monthDays}
 * (negative: from the month's end), at each {@code hours} × {@code minutes} as wall-clock times in
 * {@code timeZone} (a Windows id); a part the schedule leaves out is taken from {@code startTime}.
 * A time in a DST gap fires as the zone's rules move it, one repeated in an overlap once. {@code
 * startTime}/{@code endTime} are local times in the zone, or UTC with a {@code Z}; nothing fires
 * outside them.
 */
final class TriggerRecurrence {
  private TriggerRecurrence() {}

  /** The firings in {@code (from, to]}, in order. */
  static List<Instant> between(JsonNode rec, Instant from, Instant to) {
    ZoneId zone = WindowsZoneIds.require(rec.path("timeZone").asText("UTC"));
    ZonedDateTime start = time(rec.path("startTime").asText(), zone);
    Optional<ZonedDateTime> end =
        rec.path("endTime").asText("").isBlank()
            ? Optional.empty()
            : Optional.of(time(rec.path("endTime").asText(), zone));
    Instant lo = from.isBefore(start.toInstant()) ? start.toInstant().minusNanos(1) : from;
    Instant hi = end.map(ZonedDateTime::toInstant).filter(to::isAfter).orElse(to);
    List<Instant> out = new ArrayList<>();
    if (!hi.isAfter(lo)) {
      return out;
    }
    long n = Math.max(1, rec.path("interval").asLong(1));
    String frequency = rec.path("frequency").asText();
    if (frequency.equals("Minute") || frequency.equals("Hour")) {
      Duration every = (frequency.equals("Minute") ? Duration.ofMinutes(1) : Duration.ofHours(1));
      every = every.multipliedBy(n);
      Instant first = start.toInstant();
      long k = Math.max(0, Duration.between(first, lo).dividedBy(every));
      for (Instant t = first.plus(every.multipliedBy(k)); !t.isAfter(hi); t = t.plus(every)) {
        if (t.isAfter(lo)) {
          out.add(t);
        }
      }
      return out;
    }
    JsonNode sched = rec.path("schedule");
    TreeSet<LocalTime> times = new TreeSet<>();
    for (int h : ints(sched.path("hours"), start.getHour())) {
      for (int m : ints(sched.path("minutes"), start.getMinute())) {
        times.add(LocalTime.of(h, m));
      }
    }
    if (!sched.path("hours").isArray() && !sched.path("minutes").isArray()) {
      times = new TreeSet<>(Set.of(start.toLocalTime()));
    }
    Set<DayOfWeek> weekDays = EnumSet.noneOf(DayOfWeek.class);
    sched
        .path("weekDays")
        .forEach(d -> weekDays.add(DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT))));
    if (weekDays.isEmpty()) {
      weekDays.add(start.getDayOfWeek());
    }
    List<Integer> monthDays = ints(sched.path("monthDays"), start.getDayOfMonth());
    LocalDate startDay = start.toLocalDate();
    LocalDate last = hi.atZone(zone).toLocalDate();
    for (LocalDate day = lo.atZone(zone).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
      if (day.isBefore(startDay) || !fires(frequency, n, startDay, day, weekDays, monthDays)) {
        continue;
      }
      for (LocalTime t : times) {
        Instant at = ZonedDateTime.of(day, t, zone).toInstant();
        if (at.isAfter(lo) && !at.isAfter(hi)) {
          out.add(at);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static boolean fires(
      String frequency,
      long n,
      LocalDate startDay,
      LocalDate day,
      Set<DayOfWeek> weekDays,
      List<Integer> monthDays) {
    return switch (frequency) {
      case "Day" -> ChronoUnit.DAYS.between(startDay, day) % n == 0;
      case "Week" ->
          weekDays.contains(day.getDayOfWeek())
              && ChronoUnit.WEEKS.between(sunday(startDay), sunday(day)) % n == 0;
      case "Month" ->
          ChronoUnit.MONTHS.between(startDay.withDayOfMonth(1), day.withDayOfMonth(1)) % n == 0
              && monthDays.stream()
                  .anyMatch(
                      d ->
                          d > 0
                              ? day.getDayOfMonth() == d
                              : day.getDayOfMonth() == day.lengthOfMonth() + 1 + d);
      default -> false; // Year and NotSpecified are not fired
    };
  }

  private static LocalDate sunday(LocalDate d) {
    return d.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
  }

  private static List<Integer> ints(JsonNode values, int fallback) {
    List<Integer> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asInt()));
    return out.isEmpty() ? List.of(fallback) : out;
  }

  /** A trigger time: with a {@code Z} or an offset it is that instant, else local in the zone. */
  static ZonedDateTime time(String text, ZoneId zone) {
    try {
      return OffsetDateTime.parse(text).atZoneSameInstant(zone);
    } catch (DateTimeParseException local) {
      return LocalDateTime.parse(text).atZone(zone);
    }
  }
}
