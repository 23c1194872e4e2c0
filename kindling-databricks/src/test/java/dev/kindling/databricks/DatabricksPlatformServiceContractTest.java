package dev.kindling.databricks;

import dev.kindling.core.spi.PlatformService;
import dev.kindling.testkit.PlatformServiceContract;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databricks passes the platform contract against the emulator, artifacts on a Unity Catalog
 * volume, runs executing the real shim with python3.
 */
class DatabricksPlatformServiceContractTest extends PlatformServiceContract {
  @TempDir static Path data;
  static DatabricksEmulator emulator;

  @BeforeAll
  static void startEmulator() {
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
  }

  @AfterAll
  static void stopEmulator() {
    emulator.close();
  }

  protected String artifactsPath() {
    return DatabricksEmulator.VOLUME_ARTIFACTS;
  }

  @Override
  protected PlatformService newService() {
    return EmulatedTargets.service(emulator, artifactsPath());
  }

  @Override
  protected String unknownRunId() {
    return "4398046511103:20200101T000000Z-00000000";
  }
}
