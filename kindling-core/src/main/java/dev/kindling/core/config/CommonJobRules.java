package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rules that several platforms share, for their {@link JobConfigValidator}s to call. Problems are
 * added with bare key locations ({@code job_name}); {@link JobConfigs#validate} puts the config's
 * location in front. Platform specifics (patterns, sizes) are passed in.
 */
public final class CommonJobRules {
  private CommonJobRules() {}

  /** {@code job_name} must be set and not blank. */
  public static void requireJobName(JobConfig config, Problems problems) {
    Optional<String> name = config.jobName();
    if (name.isEmpty()) {
      problems.add("job_name", "`job_name` is required", "set job_name, e.g. job_name: my-app");
    } else if (name.get().isBlank()) {
      problems.add("job_name", "`job_name` is blank", "set job_name, e.g. job_name: my-app");
    }
  }

  /**
   * {@code job_name}, when set and not blank, must match {@code pattern} entirely.
   *
   * @param description what a valid name is, completing "it must be ...", e.g. {@code "1 to 64
   *     letters, digits, '_' or '-'"}
   */
  public static void jobNameMatches(
      JobConfig config, Pattern pattern, String description, Problems problems) {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(description, "description");
    if (config.jobName().filter(String::isBlank).isPresent()) {
      problems.add(
          "job_name",
          "`job_name` is empty",
          "set job_name to a name, or remove it to use the app's name");
      return;
    }
    config
        .jobName()
        .filter(name -> !pattern.matcher(name).matches())
        .ifPresent(
            name ->
                problems.add(
                    "job_name",
                    "`job_name` `" + name + "` is not allowed here: it must be " + description,
                    "rename the job"));
  }

  /**
   * {@code key} (one of {@link JobConfig#KEYS}) must be set.
   *
   * @param fix how to set it, e.g. {@code "set lakehouse_id to the lakehouse's item id"}
   */
  public static void require(JobConfig config, String key, String fix, Problems problems) {
    checkKey(key);
    if (!config.toMap().containsKey(key)) {
      problems.add(key, "`" + key + "` is required", fix);
    }
  }

  /**
   * {@code key} ({@code executor_memory} or {@code driver_memory}), when set, must be between
   * {@code min} and {@code max}, both included.
   */
  public static void memoryInRange(
      JobConfig config, String key, MemorySize min, MemorySize max, Problems problems) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    memory(config, key)
        .filter(m -> m.bytes() < min.bytes() || m.bytes() > max.bytes())
        .ifPresent(
            m ->
                problems.add(
                    key,
                    "`" + key + "` is " + m + "; it must be between " + min + " and " + max,
                    "use a size from " + min + " to " + max));
  }

  /**
   * {@code key} ({@code executor_memory} or {@code driver_memory}), when set, must equal one of
   * {@code allowed} (compared in bytes, so {@code 1g} equals {@code 1024m}).
   */
  public static void memoryOneOf(
      JobConfig config, String key, Collection<MemorySize> allowed, Problems problems) {
    memory(config, key)
        .filter(m -> allowed.stream().noneMatch(a -> a.bytes() == m.bytes()))
        .ifPresent(
            m ->
                problems.add(
                    key,
                    "`" + key + "` is " + m + "; allowed sizes are " + join(allowed),
                    "use one of " + join(allowed)));
  }

  /**
   * The whole-number {@code key} ({@code executor_cores}, {@code driver_cores}, {@code executors},
   * {@code max_concurrent_runs} or {@code timeout_seconds}), when set, must be one of {@code
   * allowed}.
   */
  public static void oneOf(
      JobConfig config, String key, Collection<Integer> allowed, Problems problems) {
    Optional<Integer> value =
        switch (key) {
          case "executor_cores" -> config.executorCores();
          case "driver_cores" -> config.driverCores();
          case "executors" -> config.executors();
          case "max_concurrent_runs" -> config.maxConcurrentRuns();
          case "timeout_seconds" -> config.timeoutSeconds();
          default -> throw new IllegalArgumentException("not a whole-number job key: " + key);
        };
    value
        .filter(v -> !allowed.contains(v))
        .ifPresent(
            v ->
                problems.add(
                    key,
                    "`" + key + "` is " + v + "; allowed values are " + join(allowed),
                    "use one of " + join(allowed)));
  }

  private static Optional<MemorySize> memory(JobConfig config, String key) {
    return switch (key) {
      case "executor_memory" -> config.executorMemory();
      case "driver_memory" -> config.driverMemory();
      default -> throw new IllegalArgumentException("not a memory job key: " + key);
    };
  }

  private static void checkKey(String key) {
    if (!JobConfig.KEYS.contains(key)) {
      throw new IllegalArgumentException("not a job key: " + key);
    }
  }

  private static String join(Collection<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
