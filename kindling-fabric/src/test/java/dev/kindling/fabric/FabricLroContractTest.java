package dev.kindling.fabric;

/** The platform contract again, with create/getDefinition/updateDefinition as 202 LROs. */
class FabricLroContractTest extends FabricPlatformServiceContractTest {
  @Override
  boolean longRunning() {
    return true;
  }
}
