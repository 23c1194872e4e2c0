package dev.kindling.core.schedule;

import dev.kindling.core.error.Problem;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A standard five-field cron expression, {@code minute hour day-of-month month day-of-week}, as in
 * crontab(5): each field is {@code *}, a number, a range {@code a-b}, a step {@code * /n} or {@code
 * a-b/n}, or a comma list of those; months may be {@code JAN}..{@code DEC} and weekdays {@code
 * SUN}..{@code SAT} (0 and 7 are both Sunday). When both day fields are restricted a time matches
 * if either matches (crontab's rule). Quartz extensions ({@code ?}, {@code L}, {@code W}, {@code
 * #}, a seconds field) are not part of this dialect; platforms convert from it.
 *
 * <p>Immutable. Parse with {@link #parse(String)} or {@link #check(String, String)}.
 */
public final class CronExpression {
  static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  private static final String[] FIELD_NAMES = {
    "minute", "hour", "day of month", "month", "day of week"
  };
  private static final int[] MIN = {0, 0, 1, 1, 0};
  private static final int[] MAX = {59, 23, 31, 12, 7};

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek; // 0 = Sunday .. 6 = Saturday
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(
      String text, BitSet[] fields, boolean domRestricted, boolean dowRestricted) {
    this.text = text;
    this.minutes = fields[0];
    this.hours = fields[1];
    this.daysOfMonth = fields[2];
    this.months = fields[3];
    this.daysOfWeek = fields[4];
    this.domRestricted = domRestricted;
    this.dowRestricted = dowRestricted;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming every bad field
   */
  public static CronExpression parse(String text) {
    List<Problem> problems = new ArrayList<>();
    CronExpression c = parse(text, "cron", problems);
    if (c == null) {
      throw new IllegalArgumentException(
          problems.stream()
              .map(p -> p.message() + " (" + p.fix() + ")")
              .reduce((a, b) -> a + "; " + b)
              .orElse("bad cron expression"));
    }
    return c;
  }

  /** The problems of {@code text}, reported at {@code location}; empty when it is valid. */
  public static List<Problem> check(String text, String location) {
    List<Problem> problems = new ArrayList<>();
    parse(text, location, problems);
    return problems;
  }

  static CronExpression parse(String text, String location, List<Problem> problems) {
    Objects.requireNonNull(text, "text");
    String[] parts = text.trim().split("\\s+");
    String example = "e.g. `0 6 * * *` (06:00 every day) or `*/15 8-18 * * MON-FRI`";
    if (text.isBlank()) {
      problems.add(
          Problem.of(location, "the cron expression is empty", "write five fields, " + example));
      return null;
    }
    if (parts.length != 5) {
      String fix =
          parts.length == 6 || parts.length == 7
              ? "this looks like Quartz cron (seconds first); Kindling takes standard five-field"
                  + " cron and converts it per platform: drop the seconds"
                  + (parts.length == 7 ? " and year" : "")
                  + " field, e.g. `"
                  + String.join(" ", java.util.Arrays.copyOfRange(parts, 1, 6)).replace('?', '*')
                  + "`"
              : "write five fields: minute hour day-of-month month day-of-week, " + example;
      problems.add(
          Problem.of(
              location,
              "the cron expression `" + text.trim() + "` has " + parts.length + " fields, not 5",
              fix));
      return null;
    }
    BitSet[] fields = new BitSet[5];
    int before = problems.size();
    for (int i = 0; i < 5; i++) {
      fields[i] = field(parts[i], i, location, problems);
    }
    if (problems.size() > before) {
      return null;
    }
    if (fields[4].get(7)) {
      fields[4].clear(7);
      fields[4].set(0);
    }
    return new CronExpression(
        String.join(" ", parts), fields, !parts[2].equals("*"), !parts[4].equals("*"));
  }

  private static BitSet field(String part, int f, String location, List<Problem> problems) {
    BitSet bits = new BitSet();
    String range = MIN[f] + "-" + MAX[f];
    for (String item : part.split(",", -1)) {
      String err = item(item.toUpperCase(Locale.ROOT), f, bits);
      if (err != null) {
        String fix =
            item.matches(".*[?LW#].*")
                ? "`?`, `L`, `W` and `#` are Quartz extensions, not standard cron; use `*` or"
                    + " explicit values"
                : "use *, a value in "
                    + range
                    + (f == 3 ? " or JAN-DEC" : f == 4 ? " or SUN-SAT" : "")
                    + ", a range a-b, a step */n or a-b/n, or a comma list";
        problems.add(
            Problem.of(location, "cron " + FIELD_NAMES[f] + " field `" + part + "`: " + err, fix));
        return bits;
      }
    }
    return bits;
  }

  /** Adds {@code item}'s values to {@code bits}; the error, or null. */
  private static String item(String item, int f, BitSet bits) {
    if (item.isEmpty()) {
      return "empty list entry";
    }
    int step = 1;
    String base = item;
    int slash = item.indexOf('/');
    if (slash >= 0) {
      base = item.substring(0, slash);
      Integer s = number(item.substring(slash + 1), -1);
      if (s == null || s < 1) {
        return "`" + item + "` has a bad step";
      }
      step = s;
    }
    int lo;
    int hi;
    if (base.equals("*")) {
      lo = MIN[f];
      hi = f == 4 ? 6 : MAX[f];
    } else {
      int dash = base.indexOf('-');
      Integer a = number(dash < 0 ? base : base.substring(0, dash), f);
      Integer b = dash < 0 ? a : number(base.substring(dash + 1), f);
      if (a == null || b == null) {
        return "`" + item + "` is not a value";
      }
      if (a < MIN[f] || a > MAX[f] || b < MIN[f] || b > MAX[f]) {
        return "`" + item + "` is outside " + MIN[f] + "-" + MAX[f];
      }
      if (a > b) {
        return "`" + item + "` is a backwards range";
      }
      lo = a;
      hi = slash >= 0 && dash < 0 ? (f == 4 ? 6 : MAX[f]) : b;
    }
    for (int v = lo; v <= hi; v += step) {
      bits.set(v);
    }
    return null;
  }

  private static Integer number(String s, int f) {
    if (s.matches("[0-9]{1,2}")) {
      return Integer.parseInt(s);
    }
    String[] names = f == 3 ? MONTHS : f == 4 ? DAYS : null;
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(s)) {
          return f == 3 ? i + 1 : i;
        }
      }
    }
    return null;
  }

  /** The expression as written (fields separated by single spaces). */
  public String text() {
    return text;
  }

  /** The minutes 0-59 it fires at. */
  public List<Integer> minutes() {
    return values(minutes);
  }

  /** The hours 0-23 it fires at. */
  public List<Integer> hours() {
    return values(hours);
  }

  /** The days of month 1-31 it fires on (all when the field is {@code *}). */
  public List<Integer> daysOfMonth() {
    return values(daysOfMonth);
  }

  /** The months 1-12 it fires in. */
  public List<Integer> months() {
    return values(months);
  }

  /** The weekdays it fires on, Monday first (all when the field is {@code *}). */
  public List<DayOfWeek> daysOfWeek() {
    List<DayOfWeek> out = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      if (daysOfWeek.get(i % 7)) {
        out.add(DayOfWeek.of(i));
      }
    }
    return out;
  }

  /** Whether the day-of-month field is restricted (not {@code *}). */
  public boolean restrictsDayOfMonth() {
    return domRestricted;
  }

  /** Whether the day-of-week field is restricted (not {@code *}). */
  public boolean restrictsDayOfWeek() {
    return dowRestricted;
  }

  /** Whether the month field covers every month. */
  public boolean everyMonth() {
    return months.cardinality() == 12;
  }

  /**
   * The same schedule in Quartz syntax ({@code sec min hour dom month dow}, weekdays as names), or
   * empty when it restricts both day fields, which Quartz cannot express.
   */
  public Optional<String> toQuartz() {
    if (domRestricted && dowRestricted) {
      return Optional.empty();
    }
    String dom = domRestricted ? render(daysOfMonth, 1, 31, null) : dowRestricted ? "?" : "*";
    String dow = dowRestricted ? renderDays() : "?";
    return Optional.of(
        "0 "
            + render(minutes, 0, 59, null)
            + " "
            + render(hours, 0, 23, null)
            + " "
            + dom
            + " "
            + render(months, 1, 12, null)
            + " "
            + dow);
  }

  private String renderDays() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      if (daysOfWeek.get(i)) {
        names.add(DAYS[i]);
      }
    }
    return String.join(",", names);
  }

  private static String render(BitSet bits, int lo, int hi, String[] names) {
    if (bits.cardinality() == hi - lo + 1) {
      return "*";
    }
    List<String> out = new ArrayList<>();
    for (int v = bits.nextSetBit(0); v >= 0; v = bits.nextSetBit(v + 1)) {
      out.add(names == null ? String.valueOf(v) : names[v - lo]);
    }
    return String.join(",", out);
  }

  /** Whether the expression fires at {@code t} (seconds ignored). */
  public boolean matches(LocalDateTime t) {
    if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
      return false;
    }
    return dayMatches(t);
  }

  private boolean dayMatches(LocalDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /**
   * The first time strictly after {@code after} at which the expression fires, in {@code zone}; at
   * most about five years ahead, else empty.
   */
  public Optional<ZonedDateTime> next(ZonedDateTime after, ZoneId zone) {
    LocalDateTime t =
        after
            .withZoneSameInstant(zone)
            .toLocalDateTime()
            .truncatedTo(ChronoUnit.MINUTES)
            .plusMinutes(1);
    LocalDateTime limit = t.plusYears(5);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        ZonedDateTime z = t.atZone(zone);
        if (z.isAfter(after)) {
          return Optional.of(z);
        }
        t = t.plusMinutes(1);
      }
    }
    return Optional.empty();
  }

  private static List<Integer> values(BitSet bits) {
    List<Integer> out = new ArrayList<>();
    for (int v = bits.nextSetBit(0); v >= 0; v = bits.nextSetBit(v + 1)) {
      out.add(v);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronExpression c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
