package dev.kindling.reliability;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.config.TargetConfig;
import dev.kindling.databricks.DatabricksPlatformService;
import dev.kindling.databricks.DatabricksSettings;
import dev.kindling.fabric.FabricPlatformService;
import dev.kindling.fabric.FabricSettings;
import dev.kindling.synapse.SynapseModule;
import dev.kindling.synapse.SynapsePlatformService;
import dev.kindling.synapse.SynapseSettings;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One emulator per platform and services built on it, on fake retry time, the way a target is. */
final class Rigs {
  private Rigs() {}

  /** The platforms of the matrix. */
  enum Platform {
    FABRIC,
    DATABRICKS,
    SYNAPSE;

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** An emulator with the secrets it accepts. */
  record Rig(Platform platform, Emulator emulator, Map<String, Object> target) {
    /** Every secret value this rig's target carries. */
    @SuppressWarnings("unchecked")
    java.util.List<String> secrets() {
      Map<String, Object> auth = (Map<String, Object>) target.get("auth");
      return auth.entrySet().stream()
          .filter(e -> !e.getKey().equals("method"))
          .map(e -> String.valueOf(e.getValue()))
          .toList();
    }

    /** A new, independent Kindling (its own injector and HTTP clients) on {@code time}. */
    Kindling kindling(WarpScheduler time) {
      return Rigs.kindling(this, time);
    }

    /** The job config the matrix deploys with. */
    JobConfig config(String jobName) {
      JobConfig.Builder b = JobConfig.builder().jobName(jobName);
      if (platform == Platform.DATABRICKS) {
        b.clusterId(DatabricksEmulator.CLUSTER_ID);
      }
      return b.build();
    }
  }

  /** A token no log line, message or file may contain; unique, so a hit is never a false one. */
  static final String TOKEN = "s3cr3t-" + java.util.UUID.randomUUID().toString().replace("-", "");

  /** A client secret carried by every target's auth block (never used to authenticate here). */
  static final String CLIENT_SECRET =
      "cl1ent-" + java.util.UUID.randomUUID().toString().replace("-", "");

  /**
   * Every secret value the suite hands to Kindling: the API token (also the Databricks PAT), the
   * storage token (Fabric's is the API token with a suffix), the client secret. No log line,
   * message, config string, job definition, run argument or stored file may contain any of them.
   */
  static java.util.List<String> secrets() {
    return java.util.List.of(TOKEN, TOKEN + "-storage", CLIENT_SECRET);
  }

  static Rig start(Platform p, Path data) {
    EmulatorOptions o = new EmulatorOptions(0, data, TOKEN, null);
    Emulator e =
        switch (p) {
          case FABRIC -> FabricEmulator.start(o).retryAfterSeconds(0);
          case DATABRICKS -> DatabricksEmulator.start(o);
          case SYNAPSE -> SynapseEmulator.start(o);
        };
    return new Rig(p, e, e.target());
  }

  @SuppressWarnings("unchecked")
  static TargetConfig target(Rig rig) {
    Map<String, Object> settings = new LinkedHashMap<>(rig.target());
    settings.remove("platform");
    Map<String, Object> auth = (Map<String, Object>) settings.remove("auth");
    settings.remove("cluster_id");
    JobConfig defaults = null;
    if (rig.platform() == Platform.DATABRICKS) {
      defaults =
          JobConfig.builder()
              .artifactsPath(String.valueOf(settings.remove("artifacts_path")))
              .clusterId(DatabricksEmulator.CLUSTER_ID)
              .build();
      settings.remove("poll_interval");
    }
    AuthConfig a =
        new AuthConfig(
            AuthConfig.Method.TOKEN,
            Optional.of(Secret.of(String.valueOf(auth.get("token")))),
            Optional.ofNullable(auth.get("storage_token")).map(t -> Secret.of(String.valueOf(t))),
            null,
            null,
            Optional.of(Secret.of(CLIENT_SECRET)),
            null);
    return new TargetConfig(
        rig.platform().id() + "-emulator", rig.platform().id(), settings, a, defaults);
  }

  static dev.kindling.core.config.JobConfigValidator rules(String platform) {
    for (dev.kindling.core.spi.PlatformProvider p :
        java.util.ServiceLoader.load(dev.kindling.core.spi.PlatformProvider.class)) {
      if (p.id().equals(platform)) {
        return p.jobConfigValidator();
      }
    }
    throw new IllegalStateException("no provider for " + platform);
  }

  /** The toString() of every config object built, for the secret scan. */
  static final java.util.Queue<String> CONFIG_STRINGS =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  static Kindling kindling(Rig rig, WarpScheduler time) {
    TargetConfig t = target(rig);
    CONFIG_STRINGS.add(t.toString());
    CONFIG_STRINGS.add(t.auth().toString());
    CONFIG_STRINGS.add(String.valueOf(t.jobDefaults()));
    return switch (rig.platform()) {
      case FABRIC -> {
        FabricSettings s = FabricSettings.from(t);
        s =
            new FabricSettings(
                s.workspaceId(),
                s.lakehouseId(),
                s.artifactsPath(),
                s.environmentId(),
                s.apiUrl(),
                s.onelakeUrl(),
                Duration.ofMillis(50),
                s.auth());
        CONFIG_STRINGS.add(s.toString());
        yield Kindling.withPlatform(
            new FabricPlatformService(s, Clock.systemUTC(), time), rules("fabric"));
      }
      case DATABRICKS -> {
        DatabricksSettings s = DatabricksSettings.from(t);
        s = new DatabricksSettings(s.host(), s.artifactsRoot(), s.auth(), Duration.ofMillis(50));
        CONFIG_STRINGS.add(s.toString());
        yield Kindling.withPlatform(
            new DatabricksPlatformService(
                s,
                JobConfig.builder().clusterId(DatabricksEmulator.CLUSTER_ID).build(),
                Clock.systemUTC()),
            rules("databricks"));
      }
      case SYNAPSE -> {
        SynapseSettings settings = SynapseSettings.from(t);
        CONFIG_STRINGS.add(settings.toString());
        SynapsePlatformService s =
            SynapseModule.create(
                settings,
                new SynapsePlatformService.Options(Duration.ofMillis(50), Duration.ofSeconds(15)),
                time,
                Clock.systemUTC());
        yield Kindling.withPlatform(s, rules("synapse"));
      }
    };
  }
}
