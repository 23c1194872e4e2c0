package dev.kindling.testkit.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the Fabric emulator fires an item schedule configuration. */
class FabricScheduleFiringsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode config(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  private static List<Instant> fire(JsonNode c, String from, String to) {
    return FabricScheduleFirings.between(c, Instant.parse(from), Instant.parse(to));
  }

  private static List<Instant> instants(String... at) {
    return java.util.Arrays.stream(at).map(Instant::parse).toList();
  }

  @Test
  void cronIsAnIntervalFromTheStartInclusiveUntilTheEnd() throws Exception {
    JsonNode c =
        config(
            "{'type':'Cron','interval':45,'startDateTime':'2026-11-26T10:00:00Z',"
                + "'endDateTime':'2026-11-26T12:00:00Z','localTimeZoneId':'UTC'}");
    assertThat(fire(c, "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"))
        .isEqualTo(
            instants("2026-11-26T10:00:00Z", "2026-11-26T10:45:00Z", "2026-11-26T11:30:00Z"));
    // the window is (from, to]: a firing at `from` belongs to the window before
    assertThat(fire(c, "2026-11-26T10:45:00Z", "2026-11-26T11:30:00Z"))
        .isEqualTo(instants("2026-11-26T11:30:00Z"));
    assertThat(fire(c, "2026-11-26T12:00:00Z", "2026-11-28T00:00:00Z")).isEmpty();
  }

  @Test
  void dailyTimesAreWallClockTimesThroughTheSpringGapAndTheAutumnOverlap() throws Exception {
    JsonNode c =
        config(
            "{'type':'Daily','times':['06:00','01:30'],'startDateTime':'2026-01-01T00:00:00Z',"
                + "'endDateTime':'2027-01-01T00:00:00Z','localTimeZoneId':'GMT Standard Time'}");
    // London springs forward at 01:00 GMT on 2026-03-29: 01:30 does not exist that day
    assertThat(fire(c, "2026-03-28T00:00:00Z", "2026-03-30T12:00:00Z"))
        .isEqualTo(
            instants(
                "2026-03-28T01:30:00Z",
                "2026-03-28T06:00:00Z",
                "2026-03-29T01:30:00Z", // 02:30 BST, moved by the gap
                "2026-03-29T05:00:00Z",
                "2026-03-30T00:30:00Z",
                "2026-03-30T05:00:00Z"));
    // and falls back at 02:00 BST on 2026-10-25: 01:30 happens twice, fires once
    assertThat(fire(c, "2026-10-25T00:00:00Z", "2026-10-25T12:00:00Z"))
        .isEqualTo(instants("2026-10-25T00:30:00Z", "2026-10-25T06:00:00Z"));
  }

  @Test
  void weeklyFiresOnItsWeekdaysInTheZone() throws Exception {
    JsonNode c =
        config(
            "{'type':'Weekly','weekdays':['Monday','Friday'],'times':['07:15'],"
                + "'startDateTime':'2026-10-01T00:00:00Z','endDateTime':'2026-11-06T00:00:00Z',"
                + "'localTimeZoneId':'Eastern Standard Time'}");
    // New York leaves DST on Sun 2026-11-01; the end cuts off Fri 11-06
    assertThat(fire(c, "2026-10-28T00:00:00Z", "2026-11-10T00:00:00Z"))
        .isEqualTo(instants("2026-10-30T11:15:00Z", "2026-11-02T12:15:00Z"));
  }

  @Test
  void monthlyOnADayOfMonthOrAnOrdinalWeekdayEveryNMonths() throws Exception {
    JsonNode day31 =
        config(
            "{'type':'Monthly','recurrence':1,'occurrence':{'occurrenceType':'DayOfMonth',"
                + "'dayOfMonth':31},'times':['02:00'],'startDateTime':'2026-10-01T00:00:00Z',"
                + "'endDateTime':'2027-10-01T00:00:00Z','localTimeZoneId':'UTC'}");
    assertThat(fire(day31, "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"))
        .isEqualTo(instants("2026-10-31T02:00:00Z", "2026-12-31T02:00:00Z"));
    JsonNode secondTuesday =
        config(
            "{'type':'Monthly','recurrence':2,'occurrence':{'occurrenceType':'OrdinalWeekday',"
                + "'weekIndex':'Second','weekday':'Tuesday'},'times':['09:00'],"
                + "'startDateTime':'2026-10-01T00:00:00Z','endDateTime':'2027-10-01T00:00:00Z',"
                + "'localTimeZoneId':'UTC'}");
    assertThat(fire(secondTuesday, "2026-10-01T00:00:00Z", "2027-03-01T00:00:00Z"))
        .isEqualTo(
            instants("2026-10-13T09:00:00Z", "2026-12-08T09:00:00Z", "2027-02-09T09:00:00Z"));
  }

  @Test
  void aZoneTheTableLacksSaysWhatToAdd() throws Exception {
    JsonNode c =
        config(
            "{'type':'Daily','times':['06:00'],'startDateTime':'2026-01-01T00:00:00Z',"
                + "'endDateTime':'2027-01-01T00:00:00Z','localTimeZoneId':'Mars Standard Time'}");
    assertThatThrownBy(() -> fire(c, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z"))
        .hasMessageContaining("'Mars Standard Time'")
        .hasMessageContaining("WindowsZoneIds");
  }
}
