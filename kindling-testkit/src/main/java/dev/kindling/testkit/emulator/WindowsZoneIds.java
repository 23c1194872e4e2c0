package dev.kindling.testkit.emulator;

import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Windows time-zone ids the Fabric and Synapse emulators can fire schedules in, with the IANA
 * zone CLDR maps each to (its {@code 001} territory). A small table: the testkit is built before
 * {@code kindling-azure}, whose CLDR-derived {@code WindowsZones} covers every zone; a test there
 * checks each line below against it. A schedule in a zone missing here cannot be fired (the
 * emulator says which id to add).
 */
public final class WindowsZoneIds {
  private static final Map<String, String> TO_IANA = new TreeMap<>();

  static {
    String[][] rows = {
      {"UTC", "Etc/UTC"},
      {"GMT Standard Time", "Europe/London"},
      {"Greenwich Standard Time", "Atlantic/Reykjavik"},
      {"W. Europe Standard Time", "Europe/Berlin"},
      {"Romance Standard Time", "Europe/Paris"},
      {"Central Europe Standard Time", "Europe/Budapest"},
      {"Central European Standard Time", "Europe/Warsaw"},
      {"GTB Standard Time", "Europe/Bucharest"},
      {"Russian Standard Time", "Europe/Moscow"},
      {"Eastern Standard Time", "America/New_York"},
      {"Central Standard Time", "America/Chicago"},
      {"Mountain Standard Time", "America/Denver"},
      {"US Mountain Standard Time", "America/Phoenix"},
      {"Pacific Standard Time", "America/Los_Angeles"},
      {"Alaskan Standard Time", "America/Anchorage"},
      {"Hawaiian Standard Time", "Pacific/Honolulu"},
      {"Atlantic Standard Time", "America/Halifax"},
      {"E. South America Standard Time", "America/Sao_Paulo"},
      {"India Standard Time", "Asia/Calcutta"},
      {"China Standard Time", "Asia/Shanghai"},
      {"Tokyo Standard Time", "Asia/Tokyo"},
      {"Korea Standard Time", "Asia/Seoul"},
      {"Singapore Standard Time", "Asia/Singapore"},
      {"Arabian Standard Time", "Asia/Dubai"},
      {"Israel Standard Time", "Asia/Jerusalem"},
      {"South Africa Standard Time", "Africa/Johannesburg"},
      {"AUS Eastern Standard Time", "Australia/Sydney"},
      {"New Zealand Standard Time", "Pacific/Auckland"},
    };
    for (String[] row : rows) {
      TO_IANA.put(row[0], row[1]);
    }
  }

  private WindowsZoneIds() {}

  /** The IANA zone of a Windows id in the table, else empty. */
  public static Optional<ZoneId> toZone(String windowsId) {
    return Optional.ofNullable(windowsId).map(TO_IANA::get).map(ZoneId::of);
  }

  /** The zone of a Windows id; throws, naming the id, when the table lacks it. */
  public static ZoneId require(String windowsId) {
    return toZone(windowsId)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the emulator cannot fire a schedule in Windows time zone '"
                        + windowsId
                        + "': add it to dev.kindling.testkit.emulator.WindowsZoneIds"));
  }

  /** Every Windows id in the table with its IANA id. */
  public static Map<String, String> table() {
    return Map.copyOf(TO_IANA);
  }
}
