package dev.kindling.core.config;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Validates a {@link JobConfig} against a platform's {@link JobConfigValidator}, before any network
 * call. Knows no platform: platform ids and rules are passed in.
 */
public final class JobConfigs {
  private JobConfigs() {}

  /**
   * Every problem of {@code config} for one platform: values no platform accepts (cores or
   * executors below 1, a negative timeout, made with the builder), keys that are set but not in
   * {@link JobConfigValidator#supportedKeys()}, then the platform's own rules.
   *
   * @param location where the config came from, e.g. {@code job config} or {@code kindling.yaml:
   *     targets.dev}; it is prefixed to every problem whose location is a bare key path (see {@link
   *     JobConfigValidator#validate})
   * @return the problems, empty when the config is valid
   */
  public static List<Problem> validate(
      JobConfig config, JobConfigValidator platformRules, String location) {
    Objects.requireNonNull(platformRules, "platformRules");
    return validate(config, null, platformRules, Map.of(), location);
  }

  /**
   * Like {@link #validate(JobConfig, JobConfigValidator, String)} for the platform {@code
   * platform}, with the rules of every available platform so that a key the platform does not use
   * can name the platforms that do: "`cluster_id` is not used by platform fabric; remove it or use
   * a databricks target". An unknown {@code platform} is reported (at {@code platform}) with a
   * suggestion.
   *
   * @param platform the platform id, a key of {@code platforms}
   * @param platforms every available platform's rules by platform id
   */
  public static List<Problem> validate(
      JobConfig config,
      String platform,
      Map<String, ? extends JobConfigValidator> platforms,
      String location) {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(platforms, "platforms");
    JobConfigValidator rules = platforms.get(platform);
    if (rules == null) {
      TreeSet<String> known = new TreeSet<>(platforms.keySet());
      return List.of(
          Problem.of(
              Locations.at(location, "platform"),
              "unknown platform `" + platform + "`",
              Suggestions.didYouMean(platform, known)
                  .map(s -> s + " ")
                  .orElse("")
                  .concat("available platforms: " + String.join(", ", known))));
    }
    return validate(config, platform, rules, platforms, location);
  }

  private static List<Problem> validate(
      JobConfig config,
      String platform,
      JobConfigValidator rules,
      Map<String, ? extends JobConfigValidator> platforms,
      String location) {
    Objects.requireNonNull(config, "config");
    Problems problems = new Problems();
    checkRanges(config, location, problems);
    config.retry().ifPresent(r -> retryProblems(r, location, problems));
    for (String key : config.toMap().keySet()) {
      if (!rules.supportedKeys().contains(key) && !JobConfig.CORE_KEYS.contains(key)) {
        problems.add(unused(key, platform, platforms, location));
      }
    }
    Problems own = new Problems();
    rules.validate(config, own);
    for (Problem p : own.asList()) {
      problems.add(new Problem(Locations.relocate(location, p.location()), p.message(), p.fix()));
    }
    return problems.asList();
  }

  private static Problem unused(
      String key,
      String platform,
      Map<String, ? extends JobConfigValidator> platforms,
      String location) {
    String at = Locations.at(location, key);
    if (platform == null) {
      return Problem.of(at, "`" + key + "` is not used by this platform", "remove it");
    }
    TreeSet<String> users = new TreeSet<>();
    platforms.forEach(
        (id, rules) -> {
          if (!id.equals(platform) && rules.supportedKeys().contains(key)) {
            users.add(id);
          }
        });
    return Problem.of(
        at,
        "`" + key + "` is not used by platform " + platform,
        users.isEmpty()
            ? "remove it"
            : "remove it or use a " + String.join(" or ", users) + " target");
  }

  private static void retryProblems(RunRetry retry, String location, Problems problems) {
    Problems own = new Problems();
    retry.validate(own);
    own.asList()
        .forEach(p -> problems.add(Locations.at(location, p.location()), p.message(), p.fix()));
  }

  /** Values that are wrong on every platform, for configs made with the builder. */
  private static void checkRanges(JobConfig config, String location, Problems problems) {
    Map<String, Object> map = config.toMap();
    JobConfigReader.MINIMUM.forEach(
        (key, min) -> {
          Object v = map.get(key);
          if (v instanceof Integer n) {
            JobConfigReader.rangeProblem(key, n)
                .ifPresent(
                    m ->
                        problems.add(
                            Locations.at(location, key), m, "use a number from " + min + " up"));
          }
        });
    config
        .newCluster()
        .ifPresent(
            nc -> {
              JobConfigReader.rangeProblem("new_cluster.num_workers", nc.numWorkers())
                  .ifPresent(
                      m ->
                          problems.add(
                              Locations.at(location, "new_cluster.num_workers"),
                              m,
                              "use 0 for a single-node cluster"));
              if (nc.sparkVersion().isBlank()) {
                problems.add(
                    Locations.at(location, "new_cluster.spark_version"),
                    "`new_cluster.spark_version` is blank",
                    "give spark_version a value");
              }
              if (nc.nodeTypeId().isBlank()) {
                problems.add(
                    Locations.at(location, "new_cluster.node_type_id"),
                    "`new_cluster.node_type_id` is blank",
                    "give node_type_id a value");
              }
            });
  }
}
