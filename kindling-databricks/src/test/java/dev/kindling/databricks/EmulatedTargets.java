package dev.kindling.databricks;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import java.time.Clock;
import java.time.Duration;

/** Services over a {@link DatabricksEmulator}, as a target pointing at it would build them. */
final class EmulatedTargets {
  private EmulatedTargets() {}

  static DatabricksSettings settings(DatabricksEmulator emulator, String artifactsPath) {
    return new DatabricksSettings(
        emulator.baseUrl().toString(),
        ArtifactsRoot.parse(artifactsPath).orElseThrow(),
        AuthConfig.token(Secret.of(emulator.token())),
        Duration.ofMillis(100));
  }

  static JobConfig defaults() {
    return JobConfig.builder().clusterId(DatabricksEmulator.CLUSTER_ID).build();
  }

  static DatabricksPlatformService service(DatabricksEmulator emulator, String artifactsPath) {
    return new DatabricksPlatformService(
        settings(emulator, artifactsPath), defaults(), Clock.systemUTC());
  }
}
