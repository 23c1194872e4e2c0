package dev.kindling.testkit.emulator;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Starts one kind of emulator. Found with {@link ServiceLoader}; {@code kindling emulator ID}
 * starts them from the command line.
 */
public interface EmulatorFactory {
  /** The platform id of the emulators it starts. */
  String id();

  /** Starts an emulator. */
  Emulator start(EmulatorOptions options);

  /** Every factory on the class path, by id. */
  static Map<String, EmulatorFactory> available() {
    Map<String, EmulatorFactory> m = new TreeMap<>();
    ServiceLoader.load(EmulatorFactory.class).forEach(f -> m.putIfAbsent(f.id(), f));
    return m;
  }
}
