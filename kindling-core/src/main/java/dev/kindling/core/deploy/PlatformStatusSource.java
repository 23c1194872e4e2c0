package dev.kindling.core.deploy;

import dev.kindling.core.run.BatchStatusSource;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.spi.PlatformService;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link BatchStatusSource} over a {@link PlatformService} that every wait of a {@link
 * DataAppDeployer} goes through: one instance per deployer, so that the {@link
 * dev.kindling.core.run.RunPoller} groups the runs of one job (or pool) across all its waits. A
 * platform without {@link PlatformService#statusBatchKey} gives no key, and its runs are polled one
 * at a time as before.
 */
final class PlatformStatusSource implements BatchStatusSource {
  private final PlatformService platform;

  PlatformStatusSource(PlatformService platform) {
    this.platform = Objects.requireNonNull(platform, "platform");
  }

  @Override
  public JobStatus fetch(String runId) {
    return platform.getJobStatus(runId);
  }

  @Override
  public Optional<String> batchKey(String runId) {
    return platform.statusBatchKey(runId);
  }

  @Override
  public Map<String, JobStatus> fetchAll(String batchKey, Set<String> runIds) {
    return platform.getJobStatuses(batchKey, runIds);
  }

  @Override
  public String toString() {
    return "statuses of " + platform.platformId();
  }
}
