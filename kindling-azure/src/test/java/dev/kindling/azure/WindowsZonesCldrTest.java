package dev.kindling.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.ibm.icu.util.TimeZone;
import com.ibm.icu.util.VersionInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code windows-zones.properties} against the Unicode CLDR windowsZones data that ICU4J
 * carries. {@link #main} prints the table anew (run it when ICU4J is upgraded).
 */
class WindowsZonesCldrTest {

  @Test
  void everyLineAgreesWithCldr() throws IOException {
    Map<String, String> table = table();
    assertThat(table).hasSizeGreaterThan(500);
    List<String> wrong = new ArrayList<>();
    table.forEach(
        (iana, windows) -> {
          String cldr = TimeZone.getWindowsID(iana);
          if (!windows.equals(cldr)) {
            wrong.add(iana + "=" + windows + " (CLDR: " + cldr + ")");
          }
        });
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyJavaZoneThatCldrMapsIsInTheTable() {
    List<String> missing = new ArrayList<>();
    for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
      String cldr = TimeZone.getWindowsID(id);
      if (cldr != null && WindowsZones.toWindows(ZoneId.of(id)).isEmpty()) {
        missing.add(id + "=" + cldr);
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void aWindowsIdReadsBackAsItsTerritory001Zone() throws IOException {
    for (String windows : new TreeSet<>(table().values())) {
      if (windows.equals("UTC")) {
        continue; // read back as ZoneOffset.UTC
      }
      String primary = TimeZone.getIDForWindowsID(windows, null);
      assertThat(WindowsZones.fromWindows(windows)).as(windows).contains(ZoneId.of(primary));
      assertThat(WindowsZones.toWindows(ZoneId.of(primary))).contains(windows);
    }
  }

  @Test
  void zonesWithoutAWindowsEquivalentStayUnmapped() {
    assertThat(TimeZone.getWindowsID("Antarctica/Troll")).isNull();
    assertThat(WindowsZones.toWindows(ZoneId.of("Antarctica/Troll"))).isEmpty();
    assertThat(WindowsZones.missingFix(ZoneId.of("Antarctica/Troll")))
        .contains("`Antarctica/Troll`")
        .contains("Europe/London");
  }

  private static Map<String, String> table() throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    try (InputStream in = WindowsZones.class.getResourceAsStream("windows-zones.properties")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        int eq = line.indexOf('=');
        if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
          m.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return m;
  }

  /** Prints the table from ICU4J's CLDR data: the territory-001 zone of each Windows id first. */
  public static void main(String[] args) {
    Map<String, List<String>> byWindows = new TreeMap<>();
    for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
      String windows = TimeZone.getWindowsID(id);
      if (windows != null) {
        byWindows.computeIfAbsent(windows, k -> new ArrayList<>()).add(id);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(
            "# IANA time zone id = Windows time zone id, for Fabric schedules (localTimeZoneId) and"
                + " Synapse\n# schedule triggers (timeZone). Generated from the Unicode CLDR"
                + " windowsZones mapping as ICU4J ")
        .append(VersionInfo.ICU_VERSION.getMajor())
        .append('.')
        .append(VersionInfo.ICU_VERSION.getMinor())
        .append(" has it\n# (tz data ")
        .append(TimeZone.getTZDataVersion())
        .append(
            "), for every zone id of java.time that CLDR maps; per Windows zone, the first line"
                + " is its\n# territory-\"001\" zone (the one a Windows id is read back as)."
                + " WindowsZonesCldrTest checks this file\n# against ICU4J; regenerate it with"
                + " that test's main method when ICU is upgraded.\n");
    List<String> order = new ArrayList<>(byWindows.keySet());
    order.remove("UTC");
    order.add(0, "UTC");
    for (String windows : order) {
      String primary = TimeZone.getIDForWindowsID(windows, null);
      List<String> ids = byWindows.get(windows);
      ids.remove(primary);
      ids.add(0, primary);
      ids.forEach(id -> out.append(id).append('=').append(windows).append('\n'));
    }
    System.out.print(out);
  }
}
