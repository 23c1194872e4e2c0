package dev.kindling.testkit.emulator;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to start an emulator.
 *
 * @param port the loopback port, 0 for any free one
 * @param dataDir where the emulator keeps its storage and run output
 * @param token the bearer token it accepts
 * @param python the interpreter that runs deployed apps
 */
public record EmulatorOptions(int port, Path dataDir, String token, String python) {
  public EmulatorOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    token = token == null ? "emulator-token" : token;
    python = python == null ? "python3" : python;
  }

  /** Any free port, the default token and {@code python3}. */
  public static EmulatorOptions in(Path dataDir) {
    return new EmulatorOptions(0, dataDir, null, null);
  }

  public EmulatorOptions withPort(int p) {
    return new EmulatorOptions(p, dataDir, token, python);
  }
}
