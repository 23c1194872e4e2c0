package dev.kindling.fabric;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Targets pointing at a {@link FabricEmulator}. */
final class FabricTestTargets {
  private FabricTestTargets() {}

  static TargetConfig target(FabricEmulator emulator) {
    Map<String, Object> settings = new LinkedHashMap<>(emulator.target());
    settings.remove("platform");
    settings.remove("auth");
    AuthConfig auth =
        new AuthConfig(
            AuthConfig.Method.TOKEN,
            Optional.of(Secret.of(emulator.apiToken())),
            Optional.of(Secret.of(emulator.storageToken())),
            null,
            null,
            null,
            null);
    return new TargetConfig("emulator", "fabric", settings, auth, null);
  }

  static FabricSettings settings(FabricEmulator emulator) {
    return FabricSettings.from(target(emulator));
  }
}
