package dev.kindling.synapse;

import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.PlatformServiceContract;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Synapse platform passes the platform contract against {@link SynapseEmulator}, which runs the
 * deployed shim for real with python3 and answers 404 for a definition during the first second
 * after it is written (so every run also exercises the not-found retry).
 */
class SynapsePlatformServiceContractTest extends PlatformServiceContract {
  @TempDir Path data;
  private SynapseEmulator emulator;
  private SynapseSettings settings;

  @BeforeEach
  void startEmulator() {
    if (emulator != null) {
      return; // the contract's own @BeforeEach asked for a service first
    }
    emulator =
        SynapseEmulator.start(EmulatorOptions.in(data)).notFoundAfterPut(Duration.ofSeconds(1));
    settings = SynapseSettings.from(SynapseEmulatorTargets.of(emulator.target()));
  }

  @AfterEach
  void stopEmulator() {
    emulator.close();
  }

  @Override
  protected PlatformService newService() {
    if (emulator == null) {
      startEmulator();
    }
    return SynapseModule.create(
        settings,
        new SynapsePlatformService.Options(Duration.ofMillis(100), Duration.ofSeconds(4)),
        SystemScheduler.get(),
        Clock.systemUTC());
  }

  @Override
  protected JobConfigValidator rules() {
    return new SynapseJobRules();
  }

  @Override
  protected String unknownRunId() {
    return SynapseEmulator.DEFAULT_POOL + ":2147483647:20260101T000000Z-00000000:missing";
  }
}
