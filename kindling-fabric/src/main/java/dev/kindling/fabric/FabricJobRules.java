package dev.kindling.fabric;

import dev.kindling.core.config.CommonJobRules;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.MemorySize;
import dev.kindling.core.error.Problems;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Job config rules of Fabric: the job name becomes the Spark Job Definition's display name, sizes
 * must be ones a Fabric Spark pool offers (cores 4–64 in powers of two; memory 28g, 56g, 112g, 224g
 * or 400g, the node sizes' memory), and run parameters must survive Fabric's single space-separated
 * {@code commandLineArguments} string.
 */
final class FabricJobRules implements JobConfigValidator {
  /** Item display names: 1–256 characters, letters, digits, space, '.', '_', '-'. */
  static final Pattern DISPLAY_NAME =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,254}[A-Za-z0-9_-])?");

  static final List<Integer> CORES = List.of(4, 8, 16, 32, 64);
  static final List<MemorySize> MEMORY =
      List.of(
          MemorySize.parse("28g"),
          MemorySize.parse("56g"),
          MemorySize.parse("112g"),
          MemorySize.parse("224g"),
          MemorySize.parse("400g"));

  @Override
  public Set<String> supportedKeys() {
    return Set.of(
        "job_name",
        "entry_point",
        "main_class",
        "parameters",
        "tags",
        "description",
        "executor_cores",
        "executor_memory",
        "driver_cores",
        "driver_memory",
        "lakehouse_id",
        "environment_id",
        "schedule",
        // a target-level setting that the config reader files among the job defaults
        "artifacts_path");
  }

  @Override
  public void validate(JobConfig config, Problems problems) {
    config
        .schedule()
        .ifPresent(
            s -> FabricSchedules.configuration(s, java.time.Instant.EPOCH, "schedule", problems));
    CommonJobRules.jobNameMatches(
        config,
        DISPLAY_NAME,
        "1 to 256 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit and"
            + " not ending with a space or '.' (it becomes the Spark Job Definition's display name)",
        problems);
    CommonJobRules.oneOf(config, "executor_cores", CORES, problems);
    CommonJobRules.oneOf(config, "driver_cores", CORES, problems);
    CommonJobRules.memoryOneOf(config, "executor_memory", MEMORY, problems);
    CommonJobRules.memoryOneOf(config, "driver_memory", MEMORY, problems);
    config
        .lakehouseId()
        .filter(v -> !FabricSettings.GUID.matcher(v).matches())
        .ifPresent(
            v ->
                problems.add(
                    "lakehouse_id", "'" + v + "' is not a GUID", "use the lakehouse's item id"));
    config
        .environmentId()
        .filter(v -> !FabricSettings.GUID.matcher(v).matches())
        .ifPresent(
            v ->
                problems.add(
                    "environment_id",
                    "'" + v + "' is not a GUID",
                    "use the environment's item id"));
    config
        .parameters()
        .forEach(
            (k, v) -> {
              if (v != null && v.codePoints().anyMatch(Character::isWhitespace)) {
                problems.add(
                    "parameters." + k,
                    "the value contains whitespace, but Fabric passes arguments as one space-separated"
                        + " string",
                    "use a value without spaces (e.g. URL-encode it in the app's contract)");
              }
            });
    config
        .description()
        .filter(d -> d.length() > 200)
        .ifPresent(
            d ->
                problems.add(
                    "description",
                    "the description is "
                        + d.length()
                        + " characters; Fabric keeps 256 and Kindling"
                        + " needs room for its marker",
                    "shorten it to 200 characters"));
  }
}
