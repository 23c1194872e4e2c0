package dev.kindling.core.graph;

import dev.kindling.core.config.JobConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One task of a {@link JobGraph}: an app deployed and run as a job with its config.
 *
 * @param name unique in the graph: 1 to 100 letters, digits, {@code _} or {@code -}
 * @param app the app directory or {@code .kda}
 * @param config the task's job config ({@code parameters} are its run parameters, {@code retry} its
 *     retry policy); {@code job_name} defaults to {@code <graph>-<task>}
 * @param dependsOn the names of the tasks that must end first
 * @param runIf when the task runs, given how its dependencies ended
 */
public record GraphTask(
    String name, Path app, JobConfig config, List<String> dependsOn, RunIf runIf) {
  public GraphTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(app, "app");
    config = config == null ? JobConfig.builder().build() : config;
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    runIf = runIf == null ? RunIf.ALL_SUCCESS : runIf;
  }

  /** A task without dependencies. */
  public static GraphTask of(String name, Path app) {
    return new GraphTask(name, app, null, null, null);
  }

  /** This task, depending on {@code tasks}. */
  public GraphTask dependsOn(String... tasks) {
    return new GraphTask(name, app, config, List.of(tasks), runIf);
  }

  /** This task, run when {@code condition} holds. */
  public GraphTask runIf(RunIf condition) {
    return new GraphTask(name, app, config, dependsOn, condition);
  }

  /** This task with {@code config}. */
  public GraphTask config(JobConfig jobConfig) {
    return new GraphTask(name, app, jobConfig, dependsOn, runIf);
  }
}
