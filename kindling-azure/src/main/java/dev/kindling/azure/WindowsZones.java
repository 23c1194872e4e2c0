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
 * windows-zones.properties} next to this class) holds the common zones of the Unicode CLDR
 * windowsZones mapping.
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
    return "use a zone with a Windows equivalent (e.g. Europe/London, America/New_York, UTC), or add `"
        + zone.getId()
        + "=<Windows id>` from the CLDR windowsZones table to dev/kindling/azure/windows-zones.properties";
  }
}
