package dev.kindling.synapse;

import dev.kindling.core.config.CommonJobRules;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.MemorySize;
import dev.kindling.core.error.Problems;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Job config rules of Synapse: artifact name rules for {@code job_name}, and driver and executor
 * sizes of the pool's node sizes (Small 4 cores/28g, Medium 8/56g, Large 16/112g, XLarge 32/224g,
 * XXLarge 64/400g), cores and memory of one size together.
 */
final class SynapseJobRules implements JobConfigValidator {
  /** The artifacts API's name rule (pipelines, triggers; used for job definitions too). */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][^<>*#.%&:\\\\+?/]{0,259}");

  /** A node size: cores and memory. */
  record NodeSize(String name, int cores, MemorySize memory) {}

  static final List<NodeSize> SIZES =
      List.of(
          new NodeSize("Small", 4, MemorySize.parse("28g")),
          new NodeSize("Medium", 8, MemorySize.parse("56g")),
          new NodeSize("Large", 16, MemorySize.parse("112g")),
          new NodeSize("XLarge", 32, MemorySize.parse("224g")),
          new NodeSize("XXLarge", 64, MemorySize.parse("400g")));

  /** Used when the config sets neither cores nor memory. */
  static final NodeSize DEFAULT_SIZE = SIZES.get(0);

  /** Executors when the config does not say. */
  static final int DEFAULT_EXECUTORS = 2;

  /** The most executors a Synapse Spark job may ask for. */
  static final int MAX_EXECUTORS = 200;

  @Override
  public Set<String> supportedKeys() {
    return Set.of(
        "job_name",
        "entry_point",
        "executors",
        "executor_cores",
        "executor_memory",
        "driver_cores",
        "driver_memory",
        "parameters",
        "spark_conf",
        "tags",
        "description",
        "schedule",
        // target settings that kindling.yaml files with the job keys
        "spark_pool_name",
        "artifacts_path");
  }

  @Override
  public void validate(JobConfig config, Problems problems) {
    config
        .schedule()
        .ifPresent(
            s ->
                SynapseSchedules.trigger(
                    config.jobName().orElse("job"),
                    s,
                    java.time.Instant.EPOCH,
                    "schedule",
                    problems));
    CommonJobRules.jobNameMatches(
        config,
        NAME,
        "1 to 260 characters, starting with a letter, digit or '_', without"
            + " < > * # . % & : \\ + ? /",
        problems);
    List<MemorySize> memories = SIZES.stream().map(NodeSize::memory).toList();
    List<Integer> cores = SIZES.stream().map(NodeSize::cores).toList();
    CommonJobRules.memoryOneOf(config, "executor_memory", memories, problems);
    CommonJobRules.memoryOneOf(config, "driver_memory", memories, problems);
    CommonJobRules.oneOf(config, "executor_cores", cores, problems);
    CommonJobRules.oneOf(config, "driver_cores", cores, problems);
    pair(config.executorCores(), config.executorMemory(), "executor", problems);
    pair(config.driverCores(), config.driverMemory(), "driver", problems);
    config
        .executors()
        .filter(n -> n > MAX_EXECUTORS)
        .ifPresent(
            n ->
                problems.add(
                    "executors",
                    "`executors` is " + n + "; Synapse allows at most " + MAX_EXECUTORS,
                    "use 1 to " + MAX_EXECUTORS));
    config
        .sparkPoolName()
        .filter(p -> !SynapseSettings.POOL.matcher(p).matches())
        .ifPresent(
            p ->
                problems.add(
                    "spark_pool_name",
                    "`" + p + "` is not a Spark pool name",
                    "pool names are 1-15 letters and digits starting with a letter"));
  }

  private static void pair(
      Optional<Integer> cores, Optional<MemorySize> memory, String role, Problems problems) {
    if (cores.isEmpty() || memory.isEmpty()) {
      return;
    }
    Optional<NodeSize> byCores = SIZES.stream().filter(s -> s.cores() == cores.get()).findFirst();
    Optional<NodeSize> byMemory =
        SIZES.stream().filter(s -> s.memory().bytes() == memory.get().bytes()).findFirst();
    if (byCores.isPresent() && byMemory.isPresent() && !byCores.equals(byMemory)) {
      problems.add(
          role + "_memory",
          "`"
              + role
              + "_cores` "
              + cores.get()
              + " and `"
              + role
              + "_memory` "
              + memory.get()
              + " are different node sizes",
          "use "
              + byCores.get().memory()
              + " with "
              + cores.get()
              + " cores ("
              + byCores.get().name()
              + "), or set only one of them");
    }
  }

  /** The node size of a role: from its cores, else its memory, else the default. */
  static NodeSize size(Optional<Integer> cores, Optional<MemorySize> memory) {
    return cores
        .flatMap(c -> SIZES.stream().filter(s -> s.cores() == c).findFirst())
        .or(
            () ->
                memory.flatMap(
                    m -> SIZES.stream().filter(s -> s.memory().bytes() == m.bytes()).findFirst()))
        .orElse(DEFAULT_SIZE);
  }
}
