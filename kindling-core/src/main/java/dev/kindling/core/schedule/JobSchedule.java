package dev.kindling.core.schedule;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a job runs by itself: a {@linkplain CronExpression standard five-field cron expression} in
 * an IANA time zone, or a fixed interval of whole minutes; optionally from a start and until an
 * end; enabled or paused. Platforms convert it to their own form (Fabric schedules, Databricks
 * Quartz cron, Synapse schedule triggers) and say when they cannot represent it.
 *
 * <p>In YAML and maps (the {@code schedule} job key, the CLI):
 *
 * <pre>
 * schedule:
 *   cron: "0 6 * * MON-FRI"      # or: every: 30m (m, h or d)
 *   time_zone: Europe/London     # IANA id; default UTC
 *   start: 2026-12-01T00:00      # optional; ISO date, local date-time (in time_zone) or instant
 *   end: 2027-12-01              # optional; after start
 *   enabled: true                # optional; false deploys it paused
 * </pre>
 *
 * <p>Immutable; build with {@link #cron(String, ZoneId)} / {@link #every(Duration)} and the {@code
 * with...} methods, or read with {@link #fromMap(Map, String, Problems)}.
 */
public final class JobSchedule {
  /** The keys of a schedule map. */
  public static final List<String> KEYS =
      List.of("cron", "every", "time_zone", "start", "end", "enabled");

  private static final Pattern EVERY = Pattern.compile("([0-9]{1,9})\\s*([mhd])");
  private static final String EVERY_FORM = "a whole number of minutes, hours or days: 30m, 2h, 1d";

  private final CronExpression cron;
  private final Duration every;
  private final ZoneId zone;
  private final Instant start;
  private final Instant end;
  private final boolean enabled;

  private JobSchedule(
      CronExpression cron,
      Duration every,
      ZoneId zone,
      Instant start,
      Instant end,
      boolean enabled) {
    this.cron = cron;
    this.every = every;
    this.zone = Objects.requireNonNull(zone, "zone");
    this.start = start;
    this.end = end;
    this.enabled = enabled;
  }

  /**
   * A cron schedule in {@code zone}.
   *
   * @throws IllegalArgumentException when the expression is not valid
   */
  public static JobSchedule cron(String expression, ZoneId zone) {
    return new JobSchedule(CronExpression.parse(expression), null, zone, null, null, true);
  }

  /**
   * A fixed-interval schedule, in UTC until {@link #withZone} says otherwise.
   *
   * @throws IllegalArgumentException when the interval is not a positive whole number of minutes
   */
  public static JobSchedule every(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofMinutes(1)) < 0 || interval.toSeconds() % 60 != 0) {
      throw new IllegalArgumentException(
          "a schedule interval must be a positive whole number of minutes, not " + interval);
    }
    return new JobSchedule(null, interval, ZoneOffset.UTC, null, null, true);
  }

  public JobSchedule withZone(ZoneId z) {
    return new JobSchedule(cron, every, z, start, end, enabled);
  }

  public JobSchedule withStart(Instant s) {
    return new JobSchedule(cron, every, zone, s, end, enabled);
  }

  public JobSchedule withEnd(Instant e) {
    return new JobSchedule(cron, every, zone, start, e, enabled);
  }

  public JobSchedule withEnabled(boolean on) {
    return new JobSchedule(cron, every, zone, start, end, on);
  }

  /** The cron expression, when this is a cron schedule. */
  public Optional<CronExpression> cron() {
    return Optional.ofNullable(cron);
  }

  /** The interval, when this is a fixed-interval schedule. */
  public Optional<Duration> every() {
    return Optional.ofNullable(every);
  }

  /** The time zone the cron expression (and local start/end) are read in. */
  public ZoneId zone() {
    return zone;
  }

  public Optional<Instant> start() {
    return Optional.ofNullable(start);
  }

  public Optional<Instant> end() {
    return Optional.ofNullable(end);
  }

  /** False when the schedule is paused. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Every problem of the schedule that a platform cannot fix: an end not after the start. (Cron
   * fields, zones and intervals are checked when read.)
   */
  public List<Problem> problems(String location) {
    Problems p = new Problems();
    if (start != null && end != null && !end.isAfter(start)) {
      p.add(
          location + ".end",
          "the schedule ends (" + end + ") before it starts (" + start + ")",
          "make end later than start, or remove end");
    }
    return p.asList();
  }

  /**
   * Reads a schedule from a map with {@link #KEYS}, adding every problem to {@code problems} (at
   * {@code location.key}): unknown keys, neither or both of cron and every, bad cron fields, an
   * unknown time zone, bad or misordered start and end, a non-boolean enabled.
   *
   * @return the schedule, or empty when there was a problem
   */
  public static Optional<JobSchedule> fromMap(Map<?, ?> map, String location, Problems problems) {
    int before = problems.asList().size();
    for (Object k : map.keySet()) {
      String key = String.valueOf(k);
      if (!KEYS.contains(key)) {
        String fix =
            key.equals("zone") || key.equals("timezone") || key.equals("timezone_id")
                ? "did you mean `time_zone`?"
                : key.equals("interval")
                    ? "did you mean `every`?"
                    : "schedule keys are " + String.join(", ", KEYS);
        problems.add(location + "." + key, "unknown schedule key `" + key + "`", fix);
      }
    }
    Object cronValue = map.get("cron");
    Object everyValue = map.get("every");
    CronExpression cron = null;
    Duration every = null;
    if (cronValue == null && everyValue == null) {
      problems.add(
          location,
          "the schedule has neither `cron` nor `every`",
          "add cron: \"0 6 * * *\" (06:00 daily) or every: 30m");
    } else if (cronValue != null && everyValue != null) {
      problems.add(
          location,
          "the schedule has both `cron` and `every`",
          "keep one: cron for times of day, every for a fixed interval");
    }
    if (cronValue != null) {
      List<Problem> found = new java.util.ArrayList<>();
      cron = CronExpression.parse(String.valueOf(cronValue), location + ".cron", found);
      problems.addAll(found);
    }
    if (everyValue != null) {
      every = parseEvery(String.valueOf(everyValue)).orElse(null);
      if (every == null) {
        problems.add(
            location + ".every",
            "`every` is `" + everyValue + "`, which is not an interval",
            "use " + EVERY_FORM);
      }
    }
    ZoneId zone = ZoneOffset.UTC;
    Object zoneValue = map.get("time_zone");
    if (zoneValue != null) {
      Optional<ZoneId> z = parseZone(String.valueOf(zoneValue));
      if (z.isEmpty()) {
        problems.add(
            location + ".time_zone",
            "unknown time zone `" + zoneValue + "`",
            "use an IANA time zone id, e.g. Europe/London, America/New_York or UTC");
      } else {
        zone = z.get();
      }
    }
    Instant start = instant(map.get("start"), zone, location + ".start", problems).orElse(null);
    Instant end = instant(map.get("end"), zone, location + ".end", problems).orElse(null);
    boolean enabled = true;
    Object on = map.get("enabled");
    if (on instanceof Boolean b) {
      enabled = b;
    } else if (on != null
        && ("true".equals(String.valueOf(on)) || "false".equals(String.valueOf(on)))) {
      enabled = Boolean.parseBoolean(String.valueOf(on));
    } else if (on != null) {
      problems.add(
          location + ".enabled",
          "`enabled` must be true or false, not `" + on + "`",
          "write enabled: true or enabled: false");
    }
    JobSchedule s = new JobSchedule(cron, every, zone, start, end, enabled);
    problems.addAll(s.problems(location));
    return problems.asList().size() > before ? Optional.empty() : Optional.of(s);
  }

  /**
   * Reads a schedule map; see {@link #fromMap(Map, String, Problems)}.
   *
   * @throws dev.kindling.core.error.ValidationException with every problem
   */
  public static JobSchedule fromMap(Map<?, ?> map, String location) {
    Problems problems = new Problems();
    Optional<JobSchedule> s = fromMap(map, location, problems);
    problems.throwIfAny();
    return s.orElseThrow();
  }

  /** {@code 30m}, {@code 2h}, {@code 1d} or an ISO-8601 duration of whole minutes. */
  public static Optional<Duration> parseEvery(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = EVERY.matcher(t);
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    if (d == null || d.compareTo(Duration.ofMinutes(1)) < 0 || d.toSeconds() % 60 != 0) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /** An IANA zone id (or {@code UTC}, {@code Z}); empty when unknown. */
  public static Optional<ZoneId> parseZone(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("utc") || t.equals("Z")) {
      return Optional.of(ZoneOffset.UTC);
    }
    try {
      return Optional.of(ZoneId.of(t));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A point in time: an instant or offset date-time ({@code 2026-12-01T06:00:00Z}), a local
   * date-time ({@code 2026-12-01T06:00}) or a date ({@code 2026-12-01}, midnight), the last two
   * read in {@code zone}.
   */
  public static Optional<Instant> parseTime(String text, ZoneId zone) {
    String t = text.trim();
    try {
      return Optional.of(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException e) {
      // next form
    }
    try {
      return Optional.of(LocalDateTime.parse(t).atZone(zone).toInstant());
    } catch (DateTimeParseException e) {
      // next form
    }
    try {
      return Optional.of(LocalDate.parse(t).atStartOfDay(zone).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> instant(Object v, ZoneId zone, String at, Problems problems) {
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Instant i) {
      return Optional.of(i);
    }
    if (v instanceof Date d) { // YAML timestamps
      return Optional.of(d.toInstant());
    }
    Optional<Instant> i = parseTime(String.valueOf(v), zone);
    if (i.isEmpty()) {
      problems.add(
          at,
          "`" + v + "` is not a date or time",
          "use 2026-12-01, 2026-12-01T06:00 (in time_zone) or 2026-12-01T06:00:00Z");
    }
    return i;
  }

  /** The schedule as a map with {@link #KEYS}, as {@link #fromMap} reads it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (cron != null) {
      m.put("cron", cron.text());
    }
    if (every != null) {
      m.put("every", formatEvery(every));
    }
    m.put("time_zone", zone.getId().equals("Z") ? "UTC" : zone.getId());
    if (start != null) {
      m.put("start", start.toString());
    }
    if (end != null) {
      m.put("end", end.toString());
    }
    m.put("enabled", enabled);
    return m;
  }

  /** {@code 30m}, {@code 2h}, {@code 1d}: the largest whole unit. */
  public static String formatEvery(Duration d) {
    long minutes = d.toMinutes();
    if (minutes % 1440 == 0) {
      return minutes / 1440 + "d";
    }
    if (minutes % 60 == 0) {
      return minutes / 60 + "h";
    }
    return minutes + "m";
  }

  /** One line, e.g. {@code cron "0 6 * * *" in Europe/London} or {@code every 30m (paused)}. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    if (cron != null) {
      b.append("cron \"").append(cron.text()).append("\" in ").append(toMap().get("time_zone"));
    } else {
      b.append("every ").append(formatEvery(every));
    }
    if (start != null) {
      b.append(" from ").append(start);
    }
    if (end != null) {
      b.append(" until ").append(end);
    }
    if (!enabled) {
      b.append(" (paused)");
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobSchedule s && s.toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "JobSchedule" + toMap();
  }
}
