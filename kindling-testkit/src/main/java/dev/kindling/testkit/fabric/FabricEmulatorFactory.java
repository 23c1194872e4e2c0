package dev.kindling.testkit.fabric;

import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;

/** Starts {@link FabricEmulator}s ({@code kindling emulator fabric}). */
public final class FabricEmulatorFactory implements EmulatorFactory {
  @Override
  public String id() {
    return "fabric";
  }

  @Override
  public Emulator start(EmulatorOptions options) {
    return FabricEmulator.start(options);
  }
}
