package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.PlatformServiceContract;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fabric passes the platform contract against {@link FabricEmulator} (synchronous item operations),
 * running the real shim with python3; every request matches the Fabric spec.
 */
class FabricPlatformServiceContractTest extends PlatformServiceContract {
  @TempDir Path data;
  FabricEmulator emulator;

  /** Whether the emulator answers item operations as 202 long-running operations. */
  boolean longRunning() {
    return false;
  }

  /** Started on first use: the contract's own set-up asks for a service before ours would run. */
  FabricEmulator emulator() {
    if (emulator == null) {
      emulator =
          FabricEmulator.start(EmulatorOptions.in(data))
              .longRunningOperations(longRunning())
              .retryAfterSeconds(0)
              .pageSize(2);
    }
    return emulator;
  }

  @AfterEach
  void checkSpecAndStop() {
    try {
      assertThat(emulator.specViolations()).as("requests outside the Fabric spec").isEmpty();
    } finally {
      emulator.close();
      emulator = null;
    }
  }

  @Override
  protected PlatformService newService() {
    return new FabricPlatformService(
        FabricTestTargets.settings(emulator()), Clock.systemUTC(), SystemScheduler.get());
  }

  @Override
  protected JobConfigValidator rules() {
    return new FabricJobRules();
  }

  @Override
  protected String unknownRunId() {
    return "fabric:"
        + emulator.workspaceId()
        + ":00000000-0000-0000-0000-000000000001:00000000-0000-0000-0000-000000000002:app:tag";
  }
}
