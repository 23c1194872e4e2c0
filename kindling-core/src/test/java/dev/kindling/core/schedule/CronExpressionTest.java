package dev.kindling.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.Problem;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
  private static final ZoneId LONDON = ZoneId.of("Europe/London");

  @Test
  void parsesListsRangesStepsAndNames() {
    CronExpression c = CronExpression.parse("*/15 8-10,18 * JAN-MAR mon-fri");
    assertThat(c.minutes()).containsExactly(0, 15, 30, 45);
    assertThat(c.hours()).containsExactly(8, 9, 10, 18);
    assertThat(c.months()).containsExactly(1, 2, 3);
    assertThat(c.daysOfWeek())
        .containsExactly(
            DayOfWeek.MONDAY,
            DayOfWeek.TUESDAY,
            DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY,
            DayOfWeek.FRIDAY);
    assertThat(c.restrictsDayOfWeek()).isTrue();
    assertThat(c.restrictsDayOfMonth()).isFalse();
  }

  @Test
  void sevenIsSunday() {
    assertThat(CronExpression.parse("0 0 * * 7").daysOfWeek()).containsExactly(DayOfWeek.SUNDAY);
    assertThat(CronExpression.parse("0 0 * * 0").daysOfWeek()).containsExactly(DayOfWeek.SUNDAY);
  }

  @Test
  void reportsEveryBadFieldAtOnce() {
    List<Problem> problems = CronExpression.check("61 24 0 13 8", "schedule.cron");
    assertThat(problems).hasSize(5);
    assertThat(problems.get(0).message()).contains("minute field `61`").contains("outside 0-59");
    assertThat(problems.get(1).message()).contains("hour field `24`");
    assertThat(problems.get(2).message()).contains("day of month field `0`");
    assertThat(problems.get(3).message()).contains("month field `13`");
    assertThat(problems.get(4).message()).contains("day of week field `8`");
    assertThat(problems).allSatisfy(p -> assertThat(p.location()).isEqualTo("schedule.cron"));
  }

  @Test
  void quartzInputIsRejectedWithTheFiveFieldEquivalent() {
    List<Problem> problems = CronExpression.check("0 30 6 ? * MON", "cron");
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).contains("has 6 fields, not 5");
              assertThat(p.fix()).contains("Quartz").contains("`30 6 * * MON`");
            });
    assertThat(CronExpression.check("0 0 L * *", "cron").get(0).fix())
        .contains("Quartz extensions");
  }

  @Test
  void rejectsBackwardsRangesAndBadSteps() {
    assertThat(CronExpression.check("0 10-2 * * *", "c").get(0).message()).contains("backwards");
    assertThat(CronExpression.check("*/0 * * * *", "c").get(0).message()).contains("bad step");
    assertThat(CronExpression.check("", "c").get(0).message()).contains("empty");
    assertThatThrownBy(() -> CronExpression.parse("x * * * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minute field `x`");
  }

  @Test
  void convertsToQuartz() {
    assertThat(CronExpression.parse("0 6 * * *").toQuartz()).contains("0 0 6 * * ?");
    assertThat(CronExpression.parse("30 6 * * 1-5").toQuartz())
        .contains("0 30 6 ? * MON,TUE,WED,THU,FRI");
    assertThat(CronExpression.parse("*/20 * 1,15 * *").toQuartz()).contains("0 0,20,40 * 1,15 * ?");
    assertThat(CronExpression.parse("0 6 1 * MON").toQuartz()).isEmpty();
  }

  @Test
  void nextFollowsTheZoneAcrossDaylightSaving() {
    CronExpression c = CronExpression.parse("0 6 * * *");
    ZonedDateTime before = ZonedDateTime.parse("2026-03-28T12:00:00Z");
    ZonedDateTime first = c.next(before, LONDON).orElseThrow();
    assertThat(first.toInstant().toString()).isEqualTo("2026-03-29T05:00:00Z"); // BST begins
    ZonedDateTime winter =
        c.next(ZonedDateTime.parse("2026-12-01T07:00:00Z"), LONDON).orElseThrow();
    assertThat(winter.toInstant().toString()).isEqualTo("2026-12-02T06:00:00Z");
  }

  @Test
  void nextUsesEitherDayFieldWhenBothAreRestricted() {
    CronExpression c = CronExpression.parse("0 0 13 * FRI");
    ZonedDateTime t = ZonedDateTime.parse("2026-11-01T00:00:00Z");
    ZonedDateTime a = c.next(t, ZoneId.of("UTC")).orElseThrow();
    assertThat(a.toLocalDate().toString()).isEqualTo("2026-11-06"); // a Friday
    ZonedDateTime b =
        c.next(ZonedDateTime.parse("2026-11-12T00:00:00Z"), ZoneId.of("UTC")).orElseThrow();
    assertThat(b.toLocalDate().toString()).isEqualTo("2026-11-13"); // the 13th (also a Friday)
    assertThat(CronExpression.parse("0 0 30 2 *").next(t, ZoneId.of("UTC"))).isEmpty();
  }
}
