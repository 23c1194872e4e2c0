package dev.kindling.synapse;

import com.google.inject.Module;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.error.Problems;
import dev.kindling.core.spi.PlatformProvider;
import java.util.Set;

/** Plugs Azure Synapse Analytics in ({@code platform: synapse}). */
public final class SynapsePlatformProvider implements PlatformProvider {
  @Override
  public String id() {
    return SynapsePlatformService.ID;
  }

  @Override
  public Set<String> settingKeys() {
    return SynapseSettings.KEYS;
  }

  @Override
  public void validateTarget(TargetConfig target, Problems problems) {
    SynapseSettings.validate(target, "targets." + target.name(), problems);
  }

  @Override
  public JobConfigValidator jobConfigValidator() {
    return new SynapseJobRules();
  }

  @Override
  public Module module(TargetConfig target) {
    return new SynapseModule(SynapseSettings.from(target));
  }
}
