package dev.kindling.databricks;

import dev.kindling.core.config.CommonJobRules;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.JobConfigValidator;
import dev.kindling.core.config.NewCluster;
import dev.kindling.core.error.Problems;
import java.util.Set;

/** Job config rules of Azure Databricks. */
public final class DatabricksJobRules implements JobConfigValidator {
  /** The longest job name Databricks accepts. */
  static final int MAX_NAME = 4096;

  /** The most concurrent runs Databricks allows per job. */
  static final int MAX_CONCURRENT_RUNS = 1000;

  @Override
  public Set<String> supportedKeys() {
    return Set.of(
        "job_name",
        "entry_point",
        "main_class",
        "parameters",
        "tags",
        "description",
        "artifacts_path",
        "cluster_id",
        "new_cluster",
        "spark_conf",
        "libraries",
        "max_concurrent_runs",
        "timeout_seconds",
        "schedule");
  }

  @Override
  public void validate(JobConfig config, Problems problems) {
    CommonJobRules.requireJobName(config, problems);
    config.schedule().ifPresent(s -> DatabricksSchedules.settings(s, "schedule", problems));
    config
        .retry()
        .filter(r -> r.maxAttempts() > 1 && !r.on().contains(dev.kindling.core.run.RunState.FAILED))
        .ifPresent(
            r ->
                problems.add(
                    "retry.on",
                    "Databricks retries every failed task once max_retries is set, so `retry.on`"
                        + " must include FAILED",
                    "use on: [FAILED] or on: [FAILED, TIMED_OUT]"));
    config
        .jobName()
        .filter(n -> n.length() > MAX_NAME)
        .ifPresent(
            n ->
                problems.add(
                    "job_name",
                    "`job_name` is " + n.length() + " characters; Databricks allows " + MAX_NAME,
                    "shorten the job name"));

    boolean cluster = config.clusterId().isPresent();
    boolean newCluster = config.newCluster().isPresent();
    if (cluster && newCluster) {
      problems.add(
          "cluster_id",
          "exactly one of `cluster_id` and `new_cluster` must be set, not both",
          "keep cluster_id to run on an existing cluster, or new_cluster for a cluster per run");
    } else if (!cluster && !newCluster) {
      problems.add(
          "cluster_id",
          "exactly one of `cluster_id` (an existing cluster) and `new_cluster` (a new cluster per"
              + " run) must be set",
          "add cluster_id: <cluster id>, or new_cluster: {spark_version: 15.4.x-scala2.12,"
              + " node_type_id: Standard_DS3_v2, num_workers: 2}");
    }
    config
        .clusterId()
        .filter(String::isBlank)
        .ifPresent(c -> problems.add("cluster_id", "`cluster_id` is blank", "set a cluster id"));
    config.newCluster().ifPresent(nc -> checkNewCluster(nc, problems));
    if (!config.sparkConf().isEmpty() && !newCluster) {
      problems.add(
          "spark_conf",
          "`spark_conf` only applies to a `new_cluster`; an existing cluster keeps its own",
          "remove spark_conf, or use new_cluster");
    }

    config
        .maxConcurrentRuns()
        .filter(n -> n < 1 || n > MAX_CONCURRENT_RUNS)
        .ifPresent(
            n ->
                problems.add(
                    "max_concurrent_runs",
                    "`max_concurrent_runs` is " + n + "; it must be 1 to " + MAX_CONCURRENT_RUNS,
                    "use a value from 1 to " + MAX_CONCURRENT_RUNS));
    config
        .timeoutSeconds()
        .filter(n -> n < 0)
        .ifPresent(
            n ->
                problems.add(
                    "timeout_seconds",
                    "`timeout_seconds` is " + n + "; it must be 0 (no timeout) or more",
                    "use 0 or a positive number of seconds"));

    for (int i = 0; i < config.libraries().size(); i++) {
      String entry = config.libraries().get(i);
      if (Libraries.parse(entry).isEmpty()) {
        problems.add(
            "libraries[" + i + "]",
            "'" + entry + "' is not a Databricks library",
            "use " + Libraries.EXPECTED);
      }
    }

    int tags = config.tags().size();
    if (tags > JobSpecs.MAX_TAGS - 2) {
      problems.add(
          "tags",
          tags + " tags; Databricks allows " + JobSpecs.MAX_TAGS + " per job and Kindling uses 2",
          "keep at most " + (JobSpecs.MAX_TAGS - 2) + " tags");
    }
    for (String key : config.tags().keySet()) {
      if (key.equals(JobSpecs.MARKER_TAG) || key.equals(JobSpecs.APP_TAG)) {
        problems.add(
            "tags." + key, "tag `" + key + "` is reserved for Kindling", "use another tag name");
      }
    }

    config
        .artifactsPath()
        .filter(p -> ArtifactsRoot.parse(p).isEmpty())
        .ifPresent(
            p ->
                problems.add(
                    "artifacts_path",
                    "`" + p + "` is not a volume or DBFS directory",
                    "use " + ArtifactsRoot.expected()));
  }

  private static void checkNewCluster(NewCluster nc, Problems problems) {
    if (nc.sparkVersion().isBlank()) {
      problems.add(
          "new_cluster.spark_version",
          "`new_cluster.spark_version` is blank",
          "set a Databricks runtime version, e.g. 15.4.x-scala2.12");
    }
    if (nc.nodeTypeId().isBlank()) {
      problems.add(
          "new_cluster.node_type_id",
          "`new_cluster.node_type_id` is blank",
          "set a node type, e.g. Standard_DS3_v2");
    }
    if (nc.numWorkers() < 0) {
      problems.add(
          "new_cluster.num_workers",
          "`new_cluster.num_workers` is " + nc.numWorkers(),
          "use 0 (a single-node cluster) or more workers");
    }
  }
}
