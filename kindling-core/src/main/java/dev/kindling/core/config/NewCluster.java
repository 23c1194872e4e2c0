package dev.kindling.core.config;

import java.util.Objects;

/**
 * A Databricks job cluster created for each run.
 *
 * @param sparkVersion e.g. {@code 15.4.x-scala2.12}
 * @param nodeTypeId e.g. {@code Standard_DS3_v2}
 * @param numWorkers number of workers, 0 for a single-node cluster
 */
public record NewCluster(String sparkVersion, String nodeTypeId, int numWorkers) {
  public NewCluster {
    Objects.requireNonNull(sparkVersion, "sparkVersion");
    Objects.requireNonNull(nodeTypeId, "nodeTypeId");
  }
}
