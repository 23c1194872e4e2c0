package dev.kindling.databricks;

import dev.kindling.testkit.databricks.DatabricksEmulator;

/** The platform contract again, with the artifacts on DBFS (read by the driver via dbutils). */
class DatabricksDbfsContractTest extends DatabricksPlatformServiceContractTest {
  @Override
  protected String artifactsPath() {
    return DatabricksEmulator.DBFS_ARTIFACTS;
  }
}
