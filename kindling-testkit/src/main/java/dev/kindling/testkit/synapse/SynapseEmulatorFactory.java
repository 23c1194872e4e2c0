package dev.kindling.testkit.synapse;

import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;

/** Starts {@link SynapseEmulator}s ({@code kindling emulator synapse}). */
public final class SynapseEmulatorFactory implements EmulatorFactory {
  @Override
  public String id() {
    return SynapseEmulator.ID;
  }

  @Override
  public Emulator start(EmulatorOptions options) {
    return SynapseEmulator.start(options);
  }
}
