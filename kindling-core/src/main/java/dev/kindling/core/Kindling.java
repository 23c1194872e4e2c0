package dev.kindling.core;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Scopes;
import com.google.inject.Stage;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.KindlingConfig;
import dev.kindling.core.config.Suggestions;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.RunPoller;
import dev.kindling.core.spi.PlatformProvider;
import dev.kindling.core.spi.PlatformService;
import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The entry point: builds a {@link DataAppDeployer} for one target. Platforms are found on the
 * class path with {@link ServiceLoader}; each contributes a Guice module.
 *
 * <pre>{@code
 * try (Kindling k = Kindling.fromConfig(Path.of("kindling.yaml"), "dev")) {
 *   var result = k.deployer().deployAsJob(Path.of("my-app"), JobConfig.builder().build());
 * }
 * }</pre>
 */
public final class Kindling implements AutoCloseable {
  private final TargetConfig target;
  private final Injector injector;

  private Kindling(TargetConfig target, Injector injector) {
    this.target = target;
    this.injector = injector;
  }

  /**
   * Kindling for the target {@code targetName} of the config file {@code configFile}. A missing
   * file is allowed when the target is built in ({@code local}).
   */
  public static Kindling fromConfig(Path configFile, String targetName) {
    KindlingConfig config;
    if (Files.exists(configFile)) {
      config = KindlingConfig.load(configFile);
    } else if (TargetConfig.local().name().equals(targetName)) {
      config = KindlingConfig.empty();
    } else {
      throw new ValidationException(
          Problem.of(
              configFile.toString(),
              "not found (looked in "
                  + configFile.toAbsolutePath()
                  + "), so target '"
                  + targetName
                  + "' is unknown",
              "create " + configFile + " with a `targets:` map, pass -c FILE, or use -t local"));
    }
    // Report the target's own problems and the platform's in one go.
    Problems problems = new Problems();
    problems.addAll(config.problems(targetName));
    Optional<TargetConfig> draft = config.draft(targetName);
    PlatformProvider provider = null;
    if (draft.isPresent()) {
      provider = provider(draft.get().platform());
      problems.addAll(config.unknownSettings(targetName, provider.settingKeys()));
      checkTarget(provider, draft.get(), config.location(targetName), problems);
    }
    problems.throwIfAny();
    TargetConfig target = config.target(targetName);
    return build(target, provider);
  }

  /** Kindling for the built-in {@code local} target. */
  public static Kindling local() {
    return forTarget(TargetConfig.local());
  }

  /** Kindling for {@code target}; checks the target's settings before anything else happens. */
  public static Kindling forTarget(TargetConfig target) {
    PlatformProvider provider = provider(target.platform());
    validateTarget(provider, target);
    return build(target, provider);
  }

  private static Kindling build(TargetConfig target, PlatformProvider provider) {
    Injector injector =
        Guice.createInjector(
            // DEVELOPMENT: singletons are built on first use, so platform clients stay lazy
            Stage.DEVELOPMENT,
            new CoreModule(target, provider.jobConfigValidator()),
            provider.module(target));
    return new Kindling(target, injector);
  }

  /**
   * Kindling over a ready-made {@link PlatformService}, such as the testkit's fake, with the given
   * job rules.
   */
  public static Kindling withPlatform(PlatformService service, JobConfigValidator rules) {
    TargetConfig target =
        new TargetConfig(service.platformId(), service.platformId(), Map.of(), null, null);
    Injector injector =
        Guice.createInjector(
            new CoreModule(target, rules),
            new AbstractModule() {
              @Override
              protected void configure() {
                bind(PlatformService.class).toInstance(service);
              }
            });
    return new Kindling(target, injector);
  }

  /** The ids of the platforms on the class path. */
  public static Set<String> platforms() {
    Set<String> ids = new TreeSet<>();
    ServiceLoader.load(PlatformProvider.class).forEach(p -> ids.add(p.id()));
    return ids;
  }

  /** Checks a target's settings without building anything; throws one ValidationException. */
  public static void validateTarget(TargetConfig target) {
    validateTarget(provider(target.platform()), target);
  }

  /** The deployer for this target. */
  public DataAppDeployer deployer() {
    return injector.getInstance(DataAppDeployer.class);
  }

  /** The platform service for this target. */
  public PlatformService platform() {
    return injector.getInstance(PlatformService.class);
  }

  /** The target. */
  public TargetConfig target() {
    return target;
  }

  /** The injector, for embedding applications that add their own bindings. */
  public Injector injector() {
    return injector;
  }

  /** Stops the run poller; runs on the platform are not affected. */
  @Override
  public void close() {
    injector.getInstance(RunPoller.class).close();
  }

  @Override
  public String toString() {
    return "Kindling{target=" + target.name() + ", platform=" + target.platform() + "}";
  }

  private static PlatformProvider provider(String id) {
    Map<String, PlatformProvider> providers = new TreeMap<>();
    for (PlatformProvider p : ServiceLoader.load(PlatformProvider.class)) {
      providers.putIfAbsent(p.id(), p);
    }
    PlatformProvider p = providers.get(id);
    if (p == null) {
      throw new ValidationException(
          Problem.of(
              "platform",
              "'"
                  + id
                  + "' is not a platform on the class path (available: "
                  + String.join(", ", providers.keySet())
                  + ")",
              "add the kindling-" + id + " module to the class path, or fix the platform name"));
    }
    return p;
  }

  private static void validateTarget(PlatformProvider provider, TargetConfig target) {
    Problems problems = new Problems();
    String location = "targets." + target.name();
    Set<String> known = provider.settingKeys();
    for (String key : target.settings().keySet()) {
      if (!known.contains(key)) {
        problems.add(
            location + "." + key,
            "unknown key `" + key + "` for platform " + provider.id(),
            Suggestions.didYouMean(key, known)
                .orElse("platform " + provider.id() + " knows " + new TreeSet<>(known)));
      }
    }
    checkTarget(provider, target, location, problems);
    problems.throwIfAny();
  }

  /** The platform's own checks, and job defaults the platform does not use. */
  private static void checkTarget(
      PlatformProvider provider, TargetConfig target, String location, Problems problems) {
    Set<String> supported = provider.jobConfigValidator().supportedKeys();
    for (String key : target.jobDefaults().toMap().keySet()) {
      if (!supported.contains(key) && !JobConfig.CORE_KEYS.contains(key)) {
        problems.add(
            location + "." + key,
            "`" + key + "` is not used by platform " + provider.id(),
            "remove it; platform " + provider.id() + " uses " + new TreeSet<>(supported));
      }
    }
    provider.validateTarget(target, problems);
  }

  /** Core bindings shared by every platform. */
  static final class CoreModule extends AbstractModule {
    private final TargetConfig target;
    private final JobConfigValidator rules;

    CoreModule(TargetConfig target, JobConfigValidator rules) {
      this.target = Objects.requireNonNull(target);
      this.rules = Objects.requireNonNull(rules);
    }

    @Override
    protected void configure() {
      bind(TargetConfig.class).toInstance(target);
      bind(JobConfigValidator.class).toInstance(rules);
      bind(Clock.class).toInstance(Clock.systemUTC());
      bind(Scheduler.class).toInstance(SystemScheduler.get());
      bind(RunPoller.class).toProvider(RunPoller::create).in(Scopes.SINGLETON);
      bind(DataAppDeployer.class).in(Scopes.SINGLETON);
    }
  }
}
