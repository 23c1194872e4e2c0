package dev.kindling.azure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * IANA time zone ids to Windows time zone ids, as Fabric schedules ({@code localTimeZoneId}) and
 * Synapse schedule triggers ({@code timeZone}) take them. The table ({@code
 * windows-zones.properties} next to this class) is generated from the Unicode CLDR windowsZones
 * mapping (as ICU4J has it) for every {@code java.time} zone id that CLDR maps; {@code
 * WindowsZonesCldrTest} checks it against ICU4J.
 */
public final class WindowsZones {
  private static final Map<String, String> TO_WINDOWS = load();

  private WindowsZones() {}

  private static Map<String, String> load() {
    Map<String, String> m = new LinkedHashMap<>();
    try (InputStream in = WindowsZones.class.getResourceAsStream("windows-zones.properties")) {
      if (in == null) {
        throw new IllegalStateException("windows-zones.properties is missing from the class path");
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.trim();
        int eq = l.indexOf('=');
        if (!l.isEmpty() && !l.startsWith("#") && eq > 0) {
          m.putIfAbsent(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableMap(m);
  }

  /** The Windows id of {@code zone}, or empty when the table does not have it. */
  public static Optional<String> toWindows(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return Optional.of("UTC");
    }
    return Optional.ofNullable(TO_WINDOWS.get(zone.getId()));
  }

  /**
   * An IANA zone for a Windows id: the first IANA id the table maps to it (its main city) mapped to
   * it, or empty. Used to read a platform's schedule back.
   */
  public static Optional<ZoneId> fromWindows(String windowsId) {
    if ("UTC".equals(windowsId)) {
      return Optional.of(ZoneOffset.UTC);
    }
    return TO_WINDOWS.entrySet().stream()
        .filter(e -> e.getValue().equals(windowsId))
        .map(e -> ZoneId.of(e.getKey()))
        .findFirst();
  }

  /** The problem's fix for a zone the table lacks. */
  public static String missingFix(ZoneId zone) {
    return "the Unicode CLDR windowsZones mapping has no Windows zone for `"
        + zone.getId()
        + "`; use a zone with the same offsets that has one (e.g. Europe/London, America/New_York,"
        + " UTC)";
  }
}
