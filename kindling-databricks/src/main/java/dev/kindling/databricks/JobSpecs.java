package dev.kindling.databricks;

import com.databricks.sdk.service.compute.ClusterSpec;
import com.databricks.sdk.service.compute.DataSecurityMode;
import com.databricks.sdk.service.compute.Library;
import com.databricks.sdk.service.jobs.BaseJob;
import com.databricks.sdk.service.jobs.CreateJob;
import com.databricks.sdk.service.jobs.Job;
import com.databricks.sdk.service.jobs.JobSettings;
import com.databricks.sdk.service.jobs.QueueSettings;
import com.databricks.sdk.service.jobs.SparkJarTask;
import com.databricks.sdk.service.jobs.SparkPythonTask;
import com.databricks.sdk.service.jobs.Task;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.config.NewCluster;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.error.Problem;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.spi.ArtifactStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Databricks job definition of a Kindling release: one task ({@value #TASK_KEY}) running the
 * bootstrap shim as a {@code spark_python_task} (Python apps) or the app's main class as a {@code
 * spark_jar_task} with the jars as libraries (JVM apps), on an existing cluster or a new cluster
 * per run, queueing enabled, tagged with Kindling's ownership marker and the app name.
 */
final class JobSpecs {
  /** The key of the job's one task. */
  static final String TASK_KEY = "kindling";

  /** The tag that marks a job as deployed (owned) by Kindling, and its value. */
  static final String MARKER_TAG = "kindling";

  static final String MARKER_VALUE = "managed";

  /** The tag naming the app a job runs. */
  static final String APP_TAG = "kindling_app";

  /** Databricks allows at most this many tags on a job; two are Kindling's. */
  static final int MAX_TAGS = 25;

  private JobSpecs() {}

  /** True when {@code tags} carry Kindling's marker. */
  static boolean isKindling(Map<String, String> tags) {
    return tags != null && MARKER_VALUE.equals(tags.get(MARKER_TAG));
  }

  static boolean isKindling(Job job) {
    return job.getSettings() != null && isKindling(job.getSettings().getTags());
  }

  static boolean isKindling(BaseJob job) {
    return job.getSettings() != null && isKindling(job.getSettings().getTags());
  }

  /** The job settings that run {@code release} of {@code app}. */
  static JobSettings settings(
      AppFiles app, Release release, JobConfig config, ArtifactStore store, ArtifactsRoot root) {
    String name = config.jobName().orElse(app.appName());
    Map<String, String> tags = new LinkedHashMap<>(config.tags());
    tags.put(MARKER_TAG, MARKER_VALUE);
    tags.put(APP_TAG, app.appName());

    Task task = new Task().setTaskKey(TASK_KEY);
    GraphJobs.retry(task, config.retry());
    compute(task, config, root);
    List<Library> libraries = new ArrayList<>();
    boolean jvm = app.runtime() == AppFiles.Runtime.JVM;
    List<String> tokens =
        ShimTokens.forJob(root.path(), app.appName(), release.id(), config.parameters(), jvm);
    if (jvm) {
      String mainClass =
          app.mainClass().orElseThrow(() -> invalid("main_class", "a JVM app needs a main class"));
      app.appJar()
          .ifPresent(j -> libraries.add(new Library().setJar(store.locate(release.blob(j)))));
      for (String jar : app.jars()) {
        if (!app.appJar().map(jar::equals).orElse(false)) {
          libraries.add(new Library().setJar(store.locate(release.blob(jar))));
        }
      }
      task.setSparkJarTask(new SparkJarTask().setMainClassName(mainClass).setParameters(tokens));
    } else {
      task.setSparkPythonTask(
          new SparkPythonTask()
              .setPythonFile(store.locate(release.blob(app.launcher())))
              .setParameters(tokens));
    }
    for (String entry : config.libraries()) {
      libraries.add(
          Libraries.parse(entry)
              .orElseThrow(
                  () ->
                      invalid(
                          "libraries",
                          "'" + entry + "' is not a library: use " + Libraries.EXPECTED)));
    }
    if (!libraries.isEmpty()) {
      task.setLibraries(libraries);
    }

    JobSettings s =
        new JobSettings()
            .setName(name)
            .setDescription(
                config
                    .description()
                    .orElse(
                        "Kindling data app "
                            + app.appName()
                            + (app.version().isEmpty() ? "" : " " + app.version())
                            + ", release "
                            + release.id()))
            .setTags(tags)
            .setQueue(new QueueSettings().setEnabled(true))
            .setTasks(List.of(task));
    config.maxConcurrentRuns().ifPresent(n -> s.setMaxConcurrentRuns((long) n));
    config.timeoutSeconds().ifPresent(n -> s.setTimeoutSeconds((long) n));
    return s;
  }

  /**
   * Checks what the job definition needs from {@code config} before anything is uploaded: exactly
   * one kind of cluster, and libraries Databricks understands.
   */
  static void check(JobConfig config) {
    checkCompute(config);
    for (String entry : config.libraries()) {
      if (Libraries.parse(entry).isEmpty()) {
        throw invalid("libraries", "'" + entry + "' is not a library: use " + Libraries.EXPECTED);
      }
    }
  }

  private static void checkCompute(JobConfig config) {
    Optional<String> cluster = config.clusterId();
    Optional<NewCluster> newCluster = config.newCluster();
    if (cluster.isPresent() == newCluster.isPresent()) {
      throw invalid(
          "cluster_id",
          cluster.isPresent()
              ? "set exactly one of `cluster_id` and `new_cluster`, not both"
              : "exactly one of `cluster_id` (an existing cluster) and `new_cluster` (a cluster per"
                  + " run) is required");
    }
  }

  private static void compute(Task task, JobConfig config, ArtifactsRoot root) {
    checkCompute(config);
    Optional<String> cluster = config.clusterId();
    Optional<NewCluster> newCluster = config.newCluster();
    if (cluster.isPresent()) {
      task.setExistingClusterId(cluster.get());
      return;
    }
    NewCluster nc = newCluster.get();
    ClusterSpec spec =
        new ClusterSpec()
            .setSparkVersion(nc.sparkVersion())
            .setNodeTypeId(nc.nodeTypeId())
            .setNumWorkers((long) nc.numWorkers());
    Map<String, String> conf = new LinkedHashMap<>();
    if (nc.numWorkers() == 0) {
      // a single-node cluster: the driver runs the executors
      conf.put("spark.databricks.cluster.profile", "singleNode");
      conf.put("spark.master", "local[*, 4]");
      spec.setCustomTags(Map.of("ResourceClass", "SingleNode"));
    }
    conf.putAll(config.sparkConf());
    if (!conf.isEmpty()) {
      spec.setSparkConf(conf);
    }
    if (root.kind() == ArtifactsRoot.Kind.VOLUME) {
      // only Unity Catalog access modes can read /Volumes; dedicated (single user) runs as the
      // owner
      spec.setDataSecurityMode(DataSecurityMode.SINGLE_USER);
    }
    task.setNewCluster(spec);
  }

  /** The same settings as a create request. */
  static CreateJob create(JobSettings s) {
    return new CreateJob()
        .setName(s.getName())
        .setDescription(s.getDescription())
        .setTags(s.getTags())
        .setQueue(s.getQueue())
        .setTasks(s.getTasks())
        .setParameters(s.getParameters())
        .setMaxConcurrentRuns(s.getMaxConcurrentRuns())
        .setTimeoutSeconds(s.getTimeoutSeconds());
  }

  /** The job's Kindling task, if it has one. */
  static Optional<Task> task(JobSettings settings) {
    if (settings == null || settings.getTasks() == null) {
      return Optional.empty();
    }
    Collection<Task> tasks = settings.getTasks();
    return tasks.stream()
        .filter(t -> TASK_KEY.equals(t.getTaskKey()))
        .findFirst()
        .or(() -> tasks.stream().findFirst());
  }

  /** The bootstrap tokens a job's task holds. */
  static Optional<ShimTokens> tokens(Task task) {
    if (task.getSparkPythonTask() != null) {
      return ShimTokens.parse(task.getSparkPythonTask().getParameters());
    }
    if (task.getSparkJarTask() != null) {
      return ShimTokens.parse(task.getSparkJarTask().getParameters());
    }
    return Optional.empty();
  }

  private static ValidationException invalid(String key, String message) {
    return new ValidationException(
        Problem.of("job config: " + key, message, "see docs/platforms/databricks.md"));
  }
}
