package dev.kindling.synapse;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@link TargetConfig} of an emulator's {@code target()} map. */
final class SynapseEmulatorTargets {
  private SynapseEmulatorTargets() {}

  @SuppressWarnings("unchecked")
  static TargetConfig of(Map<String, Object> target) {
    Map<String, Object> settings = new LinkedHashMap<>(target);
    settings.remove("platform");
    Map<String, Object> auth = (Map<String, Object>) settings.remove("auth");
    return new TargetConfig(
        "synapse-emulator",
        "synapse",
        settings,
        AuthConfig.token(Secret.of(auth.get("token").toString())),
        null);
  }
}
