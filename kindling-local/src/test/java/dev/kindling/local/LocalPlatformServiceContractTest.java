package dev.kindling.local;

import dev.kindling.core.spi.PlatformService;
import dev.kindling.testkit.PlatformServiceContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The local platform passes the platform contract, running the real shim with python3. */
class LocalPlatformServiceContractTest extends PlatformServiceContract {
  @TempDir Path workspace;

  @Override
  protected PlatformService newService() {
    return new LocalPlatformService(new LocalSettings(workspace, "python3"), Clock.systemUTC());
  }
}
