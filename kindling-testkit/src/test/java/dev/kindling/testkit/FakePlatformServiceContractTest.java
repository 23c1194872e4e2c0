package dev.kindling.testkit;

import dev.kindling.core.spi.PlatformService;

/** The fake passes the same contract as every real platform. */
class FakePlatformServiceContractTest extends PlatformServiceContract {
  private final FakeCloud cloud = new FakeCloud();

  @Override
  protected PlatformService newService() {
    return new FakePlatformService(cloud);
  }

  @Override
  protected boolean runsAppsForReal() {
    return false;
  }

  @Override
  protected void expect(AppBehaviour behaviour) {
    cloud.scriptNextRuns(
        switch (behaviour) {
          case SUCCEED -> RunScript.succeedAfterPolls(3);
          case FAIL -> RunScript.failAfterPolls(2, "contract failure: scripted");
          case RUN_UNTIL_CANCELLED -> RunScript.hangUntilCancelled();
        });
  }
}
