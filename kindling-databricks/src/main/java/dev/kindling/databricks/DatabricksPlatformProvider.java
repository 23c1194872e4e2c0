package dev.kindling.databricks;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import dev.kindling.core.spi.PlatformProvider;
import java.util.Set;

/** Plugs Azure Databricks in ({@code platform: databricks}). */
public final class DatabricksPlatformProvider implements PlatformProvider {
  @Override
  public String id() {
    return DatabricksPlatformService.ID;
  }

  /** {@code artifacts_path} is a job key, so it is not listed here though targets set it. */
  @Override
  public Set<String> settingKeys() {
    return Set.of("host", "poll_interval");
  }

  @Override
  public void validateTarget(TargetConfig target, Problems problems) {
    DatabricksSettings.read(target, problems);
  }

  @Override
  public JobConfigValidator jobConfigValidator() {
    return new DatabricksJobRules();
  }

  @Override
  public Module module(TargetConfig target) {
    return new DatabricksModule(DatabricksSettings.from(target), target.jobDefaults());
  }
}
