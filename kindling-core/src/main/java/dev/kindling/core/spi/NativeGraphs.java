package dev.kindling.core.spi;

import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.graph.RunIf;
import dev.kindling.core.run.JobStatus;
import java.util.List;
import java.util.Objects;

/**
 * A platform's own job graphs: several tasks with dependencies deployed as one job, run by the
 * platform (Databricks multi-task jobs). Offered by {@link PlatformService#nativeGraphs()}; the
 * graph's run is an ordinary run of the returned job ({@link PlatformService#runSparkJob}, {@link
 * PlatformService#getJobStatus}, {@link PlatformService#cancelJob}).
 */
public interface NativeGraphs {
  /**
   * One validated task.
   *
   * @param name the task key
   * @param app the app's files (the bootstrap shim added)
   * @param config the effective job config, {@code retry} included
   * @param dependsOn upstream task names
   * @param runIf the task's condition
   */
  record Task(String name, AppFiles app, JobConfig config, List<String> dependsOn, RunIf runIf) {
    public Task {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(config, "config");
      dependsOn = List.copyOf(dependsOn);
      Objects.requireNonNull(runIf, "runIf");
    }
  }

  /**
   * The per-task state of a graph run.
   *
   * @param task the task name
   * @param status the task run's status (its {@code runId} is the platform's task run id)
   * @param attempts how many times the platform ran the task (1 without retries, 0 if it never ran)
   */
  record TaskStatus(String task, JobStatus status, int attempts) {}

  /**
   * Uploads every task's release, then creates or updates the job named {@code graphName} so that
   * it runs the tasks with their dependencies.
   */
  DeploymentResult deployGraph(String graphName, List<Task> tasks);

  /** The state of each task of the graph run {@code runId}, in the job's task order. */
  List<TaskStatus> taskStatuses(String runId);
}
