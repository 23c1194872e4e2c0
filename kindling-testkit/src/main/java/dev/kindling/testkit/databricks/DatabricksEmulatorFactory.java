package dev.kindling.testkit.databricks;

import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;

/** Starts {@link DatabricksEmulator}s ({@code kindling emulator databricks}). */
public final class DatabricksEmulatorFactory implements EmulatorFactory {
  @Override
  public String id() {
    return DatabricksEmulator.ID;
  }

  @Override
  public Emulator start(EmulatorOptions options) {
    return DatabricksEmulator.start(options);
  }
}
