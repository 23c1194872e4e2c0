package dev.kindling.core.config;

import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.schedule.JobSchedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The typed configuration of one Spark job. Keys are snake_case in YAML and maps ({@code job_name},
 * {@code executor_memory}, ...). Which keys a platform uses, and its own rules, come from that
 * platform's {@link JobConfigValidator}; this class knows every key of every platform so that a
 * misspelt key can be reported with a suggestion.
 *
 * <p>Immutable; build with {@link #builder()}, or {@link #fromMap(Map)} at the edge (YAML, JShell).
 */
public final class JobConfig {
  /** Every job key, snake_case, in the order {@link #toMap()} emits them. */
  public static final List<String> KEYS =
      List.of(
          "job_name",
          "entry_point",
          "main_class",
          "executor_cores",
          "executor_memory",
          "driver_cores",
          "driver_memory",
          "executors",
          "spark_conf",
          "parameters",
          "tags",
          "description",
          "lakehouse_id",
          "artifacts_path",
          "environment_id",
          "cluster_id",
          "new_cluster",
          "libraries",
          "max_concurrent_runs",
          "timeout_seconds",
          "spark_pool_name",
          "schedule",
          "retry");

  /**
   * Keys that Kindling itself carries out on every platform (a platform may map them onto native
   * features), so no platform reports them as unused.
   */
  public static final Set<String> CORE_KEYS = Set.of("retry");

  /** The keys of {@code new_cluster}; all three are required. */
  public static final List<String> NEW_CLUSTER_KEYS =
      List.of("spark_version", "node_type_id", "num_workers");

  /** The location {@link #fromMap(Map)} reports problems under. */
  public static final String DEFAULT_LOCATION = "job config";

  private final String jobName;
  private final String entryPoint;
  private final String mainClass;
  private final Integer executorCores;
  private final MemorySize executorMemory;
  private final Integer driverCores;
  private final MemorySize driverMemory;
  private final Integer executors;
  private final Map<String, String> sparkConf;
  private final Map<String, String> parameters;
  private final Map<String, String> tags;
  private final String description;
  // Fabric
  private final String lakehouseId;
  private final String artifactsPath;
  private final String environmentId;
  // Databricks
  private final String clusterId;
  private final NewCluster newCluster;
  private final List<String> libraries;
  private final Integer maxConcurrentRuns;
  private final Integer timeoutSeconds;
  // Synapse
  private final String sparkPoolName;
  private final JobSchedule schedule;
  // every platform
  private final RunRetry retry;

  private JobConfig(Builder b) {
    this.jobName = b.jobName;
    this.entryPoint = b.entryPoint;
    this.mainClass = b.mainClass;
    this.executorCores = b.executorCores;
    this.executorMemory = b.executorMemory;
    this.driverCores = b.driverCores;
    this.driverMemory = b.driverMemory;
    this.executors = b.executors;
    this.sparkConf = Map.copyOf(b.sparkConf);
    this.parameters = Map.copyOf(b.parameters);
    this.tags = Map.copyOf(b.tags);
    this.description = b.description;
    this.lakehouseId = b.lakehouseId;
    this.artifactsPath = b.artifactsPath;
    this.environmentId = b.environmentId;
    this.clusterId = b.clusterId;
    this.newCluster = b.newCluster;
    this.libraries = List.copyOf(b.libraries);
    this.maxConcurrentRuns = b.maxConcurrentRuns;
    this.timeoutSeconds = b.timeoutSeconds;
    this.sparkPoolName = b.sparkPoolName;
    this.schedule = b.schedule;
    this.retry = b.retry;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a config from snake_case keys, as {@link #toMap()} writes them; see {@link #fromMap(Map,
   * String)}. Problems are reported under {@value #DEFAULT_LOCATION}, e.g. {@code job config:
   * executor_memory}.
   *
   * @throws ValidationException with every problem found
   */
  public static JobConfig fromMap(Map<String, ?> map) {
    return fromMap(map, DEFAULT_LOCATION);
  }

  /**
   * Reads a config from snake_case keys ({@link #KEYS}), as YAML, the CLI or JShell give them, and
   * reports every problem at once: unknown keys (with a suggestion), wrong types, bad memory sizes,
   * cores or executors below 1, map values that are not single values, an incomplete {@code
   * new_cluster}. Whole numbers may be given as text ({@code "4"}); map values and list entries
   * that are numbers or true/false are kept as their text.
   *
   * @param map the keys; a {@code null} value counts as a problem
   * @param location where the map came from, prefixed to each problem's key: {@code job config}
   *     gives {@code job config: executor_memory}, {@code kindling.yaml: targets.dev} gives {@code
   *     kindling.yaml: targets.dev.executor_memory}
   * @throws ValidationException with every problem found
   */
  public static JobConfig fromMap(Map<String, ?> map, String location) {
    Problems problems = new Problems();
    JobConfig config = fromMap(map, location, problems);
    problems.throwIfAny();
    return config;
  }

  /**
   * Like {@link #fromMap(Map, String)}, but adds the problems to {@code problems} instead of
   * throwing, so that a caller can report them with its own. Keys with a problem are left unset in
   * the returned config.
   */
  public static JobConfig fromMap(Map<String, ?> map, String location, Problems problems) {
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(problems, "problems");
    return JobConfigReader.read(map, location, problems);
  }

  /**
   * This config over {@code defaults}: every key set here wins; a key set only in {@code defaults}
   * is taken from there. The maps ({@code spark_conf}, {@code parameters}, {@code tags}) are merged
   * key by key, this config's entries winning. {@code new_cluster} and {@code libraries} are taken
   * whole from this config when set here (non-empty), else from {@code defaults}.
   */
  public JobConfig withDefaults(JobConfig defaults) {
    Objects.requireNonNull(defaults, "defaults");
    Builder b = defaults.toBuilder();
    b.jobName = pick(jobName, b.jobName);
    b.entryPoint = pick(entryPoint, b.entryPoint);
    b.mainClass = pick(mainClass, b.mainClass);
    b.executorCores = pick(executorCores, b.executorCores);
    b.executorMemory = pick(executorMemory, b.executorMemory);
    b.driverCores = pick(driverCores, b.driverCores);
    b.driverMemory = pick(driverMemory, b.driverMemory);
    b.executors = pick(executors, b.executors);
    b.sparkConf.putAll(sparkConf);
    b.parameters.putAll(parameters);
    b.tags.putAll(tags);
    b.description = pick(description, b.description);
    b.lakehouseId = pick(lakehouseId, b.lakehouseId);
    b.artifactsPath = pick(artifactsPath, b.artifactsPath);
    b.environmentId = pick(environmentId, b.environmentId);
    b.clusterId = pick(clusterId, b.clusterId);
    b.newCluster = pick(newCluster, b.newCluster);
    if (!libraries.isEmpty()) {
      b.libraries.clear();
      b.libraries.addAll(libraries);
    }
    b.maxConcurrentRuns = pick(maxConcurrentRuns, b.maxConcurrentRuns);
    b.timeoutSeconds = pick(timeoutSeconds, b.timeoutSeconds);
    b.sparkPoolName = pick(sparkPoolName, b.sparkPoolName);
    b.schedule = pick(schedule, b.schedule);
    b.retry = pick(retry, b.retry);
    return b.build();
  }

  private static <T> T pick(T mine, T fallback) {
    return mine != null ? mine : fallback;
  }

  /** A builder holding this config's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jobName = jobName;
    b.entryPoint = entryPoint;
    b.mainClass = mainClass;
    b.executorCores = executorCores;
    b.executorMemory = executorMemory;
    b.driverCores = driverCores;
    b.driverMemory = driverMemory;
    b.executors = executors;
    b.sparkConf.putAll(sparkConf);
    b.parameters.putAll(parameters);
    b.tags.putAll(tags);
    b.description = description;
    b.lakehouseId = lakehouseId;
    b.artifactsPath = artifactsPath;
    b.environmentId = environmentId;
    b.clusterId = clusterId;
    b.newCluster = newCluster;
    b.libraries.addAll(libraries);
    b.maxConcurrentRuns = maxConcurrentRuns;
    b.timeoutSeconds = timeoutSeconds;
    b.sparkPoolName = sparkPoolName;
    b.schedule = schedule;
    b.retry = retry;
    return b;
  }

  /** The job name; {@link JobConfigValidator}s report it when missing. */
  public Optional<String> jobName() {
    return Optional.ofNullable(jobName);
  }

  public Optional<String> entryPoint() {
    return Optional.ofNullable(entryPoint);
  }

  public Optional<String> mainClass() {
    return Optional.ofNullable(mainClass);
  }

  public Optional<Integer> executorCores() {
    return Optional.ofNullable(executorCores);
  }

  public Optional<MemorySize> executorMemory() {
    return Optional.ofNullable(executorMemory);
  }

  public Optional<Integer> driverCores() {
    return Optional.ofNullable(driverCores);
  }

  public Optional<MemorySize> driverMemory() {
    return Optional.ofNullable(driverMemory);
  }

  public Optional<Integer> executors() {
    return Optional.ofNullable(executors);
  }

  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  /** Default run parameters, overridden per run. */
  public Map<String, String> parameters() {
    return parameters;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  public Optional<String> lakehouseId() {
    return Optional.ofNullable(lakehouseId);
  }

  public Optional<String> artifactsPath() {
    return Optional.ofNullable(artifactsPath);
  }

  public Optional<String> environmentId() {
    return Optional.ofNullable(environmentId);
  }

  public Optional<String> clusterId() {
    return Optional.ofNullable(clusterId);
  }

  public Optional<NewCluster> newCluster() {
    return Optional.ofNullable(newCluster);
  }

  public List<String> libraries() {
    return libraries;
  }

  public Optional<Integer> maxConcurrentRuns() {
    return Optional.ofNullable(maxConcurrentRuns);
  }

  public Optional<Integer> timeoutSeconds() {
    return Optional.ofNullable(timeoutSeconds);
  }

  public Optional<String> sparkPoolName() {
    return Optional.ofNullable(sparkPoolName);
  }

  /** When the job runs by itself; set by deploy (see docs/scheduling.md). */
  public Optional<JobSchedule> schedule() {
    return Optional.ofNullable(schedule);
  }

  /** How a failed run is run again; empty for no retry. */
  public Optional<RunRetry> retry() {
    return Optional.ofNullable(retry);
  }

  /**
   * The keys that are set, snake_case, in a stable order; values as they would be written in YAML.
   * Used for display and for deciding which keys a platform does not use.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "job_name", jobName);
    put(m, "entry_point", entryPoint);
    put(m, "main_class", mainClass);
    put(m, "executor_cores", executorCores);
    put(m, "executor_memory", executorMemory == null ? null : executorMemory.toString());
    put(m, "driver_cores", driverCores);
    put(m, "driver_memory", driverMemory == null ? null : driverMemory.toString());
    put(m, "executors", executors);
    if (!sparkConf.isEmpty()) {
      m.put("spark_conf", sparkConf);
    }
    if (!parameters.isEmpty()) {
      m.put("parameters", parameters);
    }
    if (!tags.isEmpty()) {
      m.put("tags", tags);
    }
    put(m, "description", description);
    put(m, "lakehouse_id", lakehouseId);
    put(m, "artifacts_path", artifactsPath);
    put(m, "environment_id", environmentId);
    put(m, "cluster_id", clusterId);
    if (newCluster != null) {
      Map<String, Object> nc = new LinkedHashMap<>();
      nc.put("spark_version", newCluster.sparkVersion());
      nc.put("node_type_id", newCluster.nodeTypeId());
      nc.put("num_workers", newCluster.numWorkers());
      m.put("new_cluster", nc);
    }
    if (!libraries.isEmpty()) {
      m.put("libraries", libraries);
    }
    put(m, "max_concurrent_runs", maxConcurrentRuns);
    put(m, "timeout_seconds", timeoutSeconds);
    put(m, "spark_pool_name", sparkPoolName);
    if (schedule != null) {
      m.put("schedule", schedule.toMap());
    }
    if (retry != null) {
      m.put("retry", retry.toMap());
    }
    return m;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobConfig other && other.toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toMap());
  }

  /** The set keys; values of map entries whose names look secret (e.g. account keys) masked. */
  @Override
  public String toString() {
    return "JobConfig" + Redaction.redact(toMap());
  }

  /** Builds a {@link JobConfig}. Values are checked by validation, not here. */
  public static final class Builder {
    private String jobName;
    private String entryPoint;
    private String mainClass;
    private Integer executorCores;
    private MemorySize executorMemory;
    private Integer driverCores;
    private MemorySize driverMemory;
    private Integer executors;
    private final Map<String, String> sparkConf = new LinkedHashMap<>();
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String description;
    private String lakehouseId;
    private String artifactsPath;
    private String environmentId;
    private String clusterId;
    private NewCluster newCluster;
    private final java.util.ArrayList<String> libraries = new java.util.ArrayList<>();
    private Integer maxConcurrentRuns;
    private Integer timeoutSeconds;
    private String sparkPoolName;
    private JobSchedule schedule;
    private RunRetry retry;

    private Builder() {}

    /** How a failed run is run again; null for no retry. */
    public Builder retry(RunRetry v) {
      retry = v;
      return this;
    }

    public Builder jobName(String v) {
      jobName = v;
      return this;
    }

    public Builder entryPoint(String v) {
      entryPoint = v;
      return this;
    }

    public Builder mainClass(String v) {
      mainClass = v;
      return this;
    }

    public Builder executorCores(Integer v) {
      executorCores = v;
      return this;
    }

    public Builder executorMemory(MemorySize v) {
      executorMemory = v;
      return this;
    }

    public Builder executorMemory(String v) {
      executorMemory = MemorySize.parse(v);
      return this;
    }

    public Builder driverCores(Integer v) {
      driverCores = v;
      return this;
    }

    public Builder driverMemory(MemorySize v) {
      driverMemory = v;
      return this;
    }

    public Builder driverMemory(String v) {
      driverMemory = MemorySize.parse(v);
      return this;
    }

    public Builder executors(Integer v) {
      executors = v;
      return this;
    }

    public Builder sparkConf(String key, String value) {
      sparkConf.put(key, value);
      return this;
    }

    public Builder sparkConf(Map<String, String> v) {
      sparkConf.putAll(v);
      return this;
    }

    public Builder parameter(String key, String value) {
      parameters.put(key, value);
      return this;
    }

    public Builder parameters(Map<String, String> v) {
      parameters.putAll(v);
      return this;
    }

    public Builder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public Builder tags(Map<String, String> v) {
      tags.putAll(v);
      return this;
    }

    public Builder description(String v) {
      description = v;
      return this;
    }

    public Builder lakehouseId(String v) {
      lakehouseId = v;
      return this;
    }

    public Builder artifactsPath(String v) {
      artifactsPath = v;
      return this;
    }

    public Builder environmentId(String v) {
      environmentId = v;
      return this;
    }

    public Builder clusterId(String v) {
      clusterId = v;
      return this;
    }

    public Builder newCluster(NewCluster v) {
      newCluster = v;
      return this;
    }

    public Builder library(String v) {
      libraries.add(v);
      return this;
    }

    public Builder libraries(List<String> v) {
      libraries.addAll(v);
      return this;
    }

    public Builder maxConcurrentRuns(Integer v) {
      maxConcurrentRuns = v;
      return this;
    }

    public Builder timeoutSeconds(Integer v) {
      timeoutSeconds = v;
      return this;
    }

    public Builder sparkPoolName(String v) {
      sparkPoolName = v;
      return this;
    }

    public Builder schedule(JobSchedule v) {
      schedule = v;
      return this;
    }

    public JobConfig build() {
      return new JobConfig(this);
    }
  }
}
