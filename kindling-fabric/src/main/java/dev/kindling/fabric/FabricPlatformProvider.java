package dev.kindling.fabric;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import dev.kindling.core.spi.PlatformProvider;
import java.util.Set;

/** Plugs Microsoft Fabric in ({@code platform: fabric}). */
public final class FabricPlatformProvider implements PlatformProvider {
  @Override
  public String id() {
    return FabricPlatformService.ID;
  }

  @Override
  public Set<String> settingKeys() {
    return Set.of(
        "workspace_id",
        "lakehouse_id",
        "artifacts_path",
        "environment_id",
        "api_url",
        "onelake_url",
        "poll_interval");
  }

  @Override
  public void validateTarget(TargetConfig target, Problems problems) {
    FabricSettings.validate(target, problems);
  }

  @Override
  public JobConfigValidator jobConfigValidator() {
    return new FabricJobRules();
  }

  @Override
  public Module module(TargetConfig target) {
    return new FabricModule(FabricSettings.from(target));
  }
}
