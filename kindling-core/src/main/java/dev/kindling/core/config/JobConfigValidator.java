package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import java.util.Set;

/**
 * A platform's rules for job configs. Contributed by each platform module, so core holds no
 * platform conditionals.
 */
public interface JobConfigValidator {
  /**
   * The snake_case job keys this platform uses. A key that is set but not in this set is reported
   * as not used by the platform.
   */
  Set<String> supportedKeys();

  /**
   * Adds every problem of {@code config} for this platform to {@code problems}.
   *
   * <p>Give each problem's location as the bare key path it is about ({@code lakehouse_id}, {@code
   * new_cluster.num_workers}): {@link JobConfigs#validate} puts the config's location in front
   * ({@code kindling.yaml: targets.dev.lakehouse_id}). {@link CommonJobRules} does so already.
   */
  void validate(JobConfig config, Problems problems);
}
