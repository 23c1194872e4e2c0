package dev.kindling.testkit.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the Synapse emulator fires a ScheduleTrigger recurrence. */
class TriggerRecurrenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Instant> fire(String json, String from, String to) throws Exception {
    return TriggerRecurrence.between(
        JSON.readTree(json.replace('\'', '"')), Instant.parse(from), Instant.parse(to));
  }

  private static List<Instant> instants(String... at) {
    return java.util.Arrays.stream(at).map(Instant::parse).toList();
  }

  @Test
  void minutesAndHoursAreElapsedTimeFromTheStart() throws Exception {
    // the start is a local time in the zone; 5-hourly runs keep their spacing through the gap
    assertThat(
            fire(
                "{'frequency':'Hour','interval':5,'startTime':'2026-03-28T20:00:00',"
                    + "'timeZone':'GMT Standard Time'}",
                "2026-03-28T21:00:00Z",
                "2026-03-29T12:00:00Z"))
        .isEqualTo(
            instants("2026-03-29T01:00:00Z", "2026-03-29T06:00:00Z", "2026-03-29T11:00:00Z"));
    assertThat(
            fire(
                "{'frequency':'Minute','interval':20,'startTime':'2026-11-26T10:00:00Z',"
                    + "'endTime':'2026-11-26T10:40:00Z','timeZone':'UTC'}",
                "2026-11-26T00:00:00Z",
                "2026-11-27T00:00:00Z"))
        .isEqualTo(
            instants("2026-11-26T10:00:00Z", "2026-11-26T10:20:00Z", "2026-11-26T10:40:00Z"));
  }

  @Test
  void dayScheduleHoursAndMinutesAreWallClockTimes() throws Exception {
    String daily =
        "{'frequency':'Day','interval':1,'startTime':'2026-10-01T00:00:00',"
            + "'endTime':'2026-10-26T12:00:00','timeZone':'GMT Standard Time',"
            + "'schedule':{'hours':[6,18],'minutes':[0,30]}}";
    assertThat(fire(daily, "2026-10-24T12:00:00Z", "2026-10-30T00:00:00Z"))
        .isEqualTo(
            instants(
                "2026-10-24T17:00:00Z",
                "2026-10-24T17:30:00Z",
                "2026-10-25T06:00:00Z", // GMT from the 25th
                "2026-10-25T06:30:00Z",
                "2026-10-25T18:00:00Z",
                "2026-10-25T18:30:00Z",
                "2026-10-26T06:00:00Z",
                "2026-10-26T06:30:00Z")); // endTime 12:00 local
    // without a schedule, every other day at the start's local time of day
    assertThat(
            fire(
                "{'frequency':'Day','interval':2,'startTime':'2026-10-23T07:45:00',"
                    + "'timeZone':'GMT Standard Time'}",
                "2026-10-22T00:00:00Z",
                "2026-10-28T00:00:00Z"))
        .isEqualTo(
            instants("2026-10-23T06:45:00Z", "2026-10-25T07:45:00Z", "2026-10-27T07:45:00Z"));
  }

  @Test
  void weeksAndMonths() throws Exception {
    // every second week (weeks start on Sunday) on Monday and Wednesday at 09:15 Chicago
    assertThat(
            fire(
                "{'frequency':'Week','interval':2,'startTime':'2026-11-02T00:00:00',"
                    + "'timeZone':'Central Standard Time',"
                    + "'schedule':{'hours':[9],'minutes':[15],'weekDays':['Monday','Wednesday']}}",
                "2026-11-01T00:00:00Z",
                "2026-11-25T00:00:00Z"))
        .isEqualTo(
            instants(
                "2026-11-02T15:15:00Z",
                "2026-11-04T15:15:00Z",
                "2026-11-16T15:15:00Z",
                "2026-11-18T15:15:00Z"));
    // the 1st and the last day of each month
    assertThat(
            fire(
                "{'frequency':'Month','interval':1,'startTime':'2026-01-01T00:00:00Z',"
                    + "'timeZone':'UTC','schedule':{'hours':[2],'minutes':[0],'monthDays':[1,-1]}}",
                "2026-01-15T00:00:00Z",
                "2026-03-15T00:00:00Z"))
        .isEqualTo(
            instants(
                "2026-01-31T02:00:00Z",
                "2026-02-01T02:00:00Z",
                "2026-02-28T02:00:00Z",
                "2026-03-01T02:00:00Z"));
  }

  @Test
  void nothingBeforeTheStart() throws Exception {
    assertThat(
            fire(
                "{'frequency':'Day','interval':1,'startTime':'2026-12-01T00:00:00Z',"
                    + "'timeZone':'UTC','schedule':{'hours':[6],'minutes':[0]}}",
                "2026-11-01T00:00:00Z",
                "2026-12-02T00:00:00Z"))
        .isEqualTo(instants("2026-12-01T06:00:00Z"));
  }
}
