package dev.kindling.local;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import dev.kindling.core.spi.PlatformService;

/** Binds the local platform for one target. Bindings only; nothing runs until used. */
public final class LocalModule extends AbstractModule {
  private final LocalSettings settings;

  public LocalModule(LocalSettings settings) {
    this.settings = settings;
  }

  @Override
  protected void configure() {
    bind(LocalSettings.class).toInstance(settings);
    bind(PlatformService.class).to(LocalPlatformService.class).in(Scopes.SINGLETON);
  }
}
