package dev.kindling.synapse;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.kindling.azure.AzureCredentials;
import dev.kindling.azure.DfsArtifactStore;
import dev.kindling.core.http.HttpClients;
import dev.kindling.core.http.TokenProvider;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Binds the Synapse platform for one target. Bindings only: credentials, HTTP clients and the
 * storage client are built on first use.
 */
public final class SynapseModule extends AbstractModule {
  /** The token scope of the Synapse data plane (artifacts and Livy). */
  public static final String SCOPE = "https://dev.azuresynapse.net/.default";

  /** How long a long-running artifacts operation may take. */
  static final Duration LRO_TIMEOUT = Duration.ofMinutes(5);

  private final SynapseSettings settings;
  private final SynapsePlatformService.Options options;

  public SynapseModule(SynapseSettings settings) {
    this(settings, SynapsePlatformService.Options.defaults());
  }

  public SynapseModule(SynapseSettings settings, SynapsePlatformService.Options options) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  protected void configure() {
    bind(SynapseSettings.class).toInstance(settings);
  }

  @Provides
  @Singleton
  PlatformService platformService(Scheduler scheduler, Clock clock) {
    return create(settings, options, scheduler, clock);
  }

  /** A service for {@code settings}; nothing is contacted until it is used. */
  public static SynapsePlatformService create(
      SynapseSettings settings,
      SynapsePlatformService.Options options,
      Scheduler scheduler,
      Clock clock) {
    return create(settings, options, scheduler, clock, AzureCredentials.from(settings.auth()));
  }

  /**
   * A service that gets its tokens from {@code tokens} instead of the target's {@code auth} block
   * (for embedding with your own credential; tokens are cached and refreshed on {@code scheduler}'s
   * clock).
   */
  public static SynapsePlatformService create(
      SynapseSettings settings,
      SynapsePlatformService.Options options,
      Scheduler scheduler,
      Clock clock,
      TokenProvider tokens) {
    return new SynapsePlatformService(
        settings,
        () ->
            new SynapseClient(
                HttpClients.builder()
                    .platform(SynapsePlatformService.ID)
                    .auth(tokens, SCOPE)
                    .scheduler(scheduler)
                    .build(),
                settings.workspaceUrl(),
                settings.livyApiVersion(),
                scheduler,
                LRO_TIMEOUT),
        () ->
            DfsArtifactStore.builder()
                .root(settings.artifactsPath().toString())
                .endpoint(settings.storageUrl().orElse(settings.artifactsPath().dfsEndpoint()))
                .platform(SynapsePlatformService.ID)
                .tokens(tokens)
                .scheduler(scheduler)
                .build(),
        scheduler,
        clock,
        options);
  }
}
