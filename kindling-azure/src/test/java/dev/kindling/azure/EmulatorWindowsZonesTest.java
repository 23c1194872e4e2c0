package dev.kindling.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.emulator.WindowsZoneIds;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The testkit's small Windows→IANA table (the zones its Fabric and Synapse emulators fire schedules
 * in) agrees with the CLDR-derived {@link WindowsZones} Kindling writes schedules with.
 */
class EmulatorWindowsZonesTest {
  @Test
  void everyEmulatorZoneIsTheOneKindlingWritesForIt() {
    Map<String, String> table = WindowsZoneIds.table();
    assertThat(table).isNotEmpty();
    table.forEach(
        (windows, iana) -> {
          ZoneId zone = ZoneId.of(iana);
          assertThat(WindowsZones.toWindows(zone)).as(iana).contains(windows);
          assertThat(WindowsZones.fromWindows(windows).orElseThrow().getRules())
              .as(windows)
              .isEqualTo(zone.getRules());
        });
  }
}
