package dev.kindling.fabric;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import dev.kindling.core.spi.PlatformService;

/** Binds the Fabric platform for one target. Bindings only; clients are built on first use. */
public final class FabricModule extends AbstractModule {
  private final FabricSettings settings;

  public FabricModule(FabricSettings settings) {
    this.settings = settings;
  }

  @Override
  protected void configure() {
    bind(FabricSettings.class).toInstance(settings);
    bind(PlatformService.class).to(FabricPlatformService.class).in(Scopes.SINGLETON);
  }
}
