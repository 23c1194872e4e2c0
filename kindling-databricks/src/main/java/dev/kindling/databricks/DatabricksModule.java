package dev.kindling.databricks;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.spi.PlatformService;
import java.time.Clock;
import java.util.Objects;

/**
 * Binds Azure Databricks for one target. Bindings only: the SDK client is built on the first call
 * that needs it, not here and not when the service is made.
 */
public final class DatabricksModule extends AbstractModule {
  private final DatabricksSettings settings;
  private final JobConfig defaults;

  public DatabricksModule(DatabricksSettings settings, JobConfig defaults) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  @Override
  protected void configure() {
    bind(DatabricksSettings.class).toInstance(settings);
  }

  @Provides
  @Singleton
  DatabricksPlatformService service(Clock clock) {
    return new DatabricksPlatformService(settings, defaults, clock);
  }

  @Provides
  @Singleton
  PlatformService platform(DatabricksPlatformService service) {
    return service;
  }
}
