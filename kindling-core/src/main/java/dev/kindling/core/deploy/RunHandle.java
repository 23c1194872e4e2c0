package dev.kindling.core.deploy;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A submitted run, like Spark's {@code SparkAppHandle}: query it, wait for it with a deadline,
 * listen to its state changes, cancel it. Handles are cheap and hold only the run id; {@link
 * DataAppDeployer#attach(String)} makes one from a run id in any process.
 */
public final class RunHandle {
  /** What {@link #await(Duration, OnTimeout)} does to the run when the deadline passes. */
  public enum OnTimeout {
    /** Leave the run alone (default): it keeps running and can be awaited again. */
    DETACH,
    /** Ask the platform to cancel the run. */
    CANCEL
  }

  private final DataAppDeployer deployer;
  private final String runId;
  private final List<Consumer<JobStatus>> listeners = new CopyOnWriteArrayList<>();

  RunHandle(DataAppDeployer deployer, String runId) {
    this.deployer = Objects.requireNonNull(deployer);
    this.runId = Objects.requireNonNull(runId);
  }

  public String runId() {
    return runId;
  }

  /** Asks the platform for the current status. */
  public JobStatus status() {
    return deployer.getJobStatus(runId);
  }

  /** Calls {@code listener} on each state change seen while this handle is awaited. */
  public RunHandle onStateChange(Consumer<JobStatus> listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /**
   * Waits until the run is terminal, at most {@code timeout}; on timeout the run is left running.
   *
   * @throws TimedOutException when the deadline passes (its message names the last state)
   */
  public JobStatus await(Duration timeout) {
    return await(timeout, OnTimeout.DETACH);
  }

  /**
   * Waits until the run is terminal, at most {@code timeout}, then detaches or cancels. An
   * interrupt restores the thread's interrupt flag, leaves the run alone and throws.
   */
  public JobStatus await(Duration timeout, OnTimeout onTimeout) {
    try {
      return deployer.awaitRun(runId, timeout, s -> listeners.forEach(l -> l.accept(s)));
    } catch (TimedOutException e) {
      if (onTimeout == OnTimeout.CANCEL) {
        deployer.cancelJob(runId);
      }
      throw e;
    }
  }

  /** Requests cancellation; see {@link DataAppDeployer#cancelJob(String)}. */
  public boolean cancel() {
    return deployer.cancelJob(runId);
  }

  /** The run's output and result so far. */
  public RunLogs logs() {
    return deployer.logs(runId);
  }

  /** The run's result (see {@link DataAppDeployer#result(String)}). */
  public dev.kindling.core.run.RunResult result() {
    return deployer.result(runId);
  }

  /** Throws unless the run {@linkplain dev.kindling.core.run.RunState#SUCCEEDED succeeded}. */
  public static JobStatus requireSuccess(JobStatus status) {
    if (!status.state().isSuccess()) {
      throw new dev.kindling.core.error.RunFailedException(
          "run "
              + status.runId()
              + " ended "
              + status.state()
              + status.error().map(e -> ": " + e).orElse(""));
    }
    return status;
  }

  @Override
  public String toString() {
    return "RunHandle{" + runId + "}";
  }

  static KindlingException interrupted(String runId, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new KindlingException(
        "interrupted while waiting for run " + runId + "; the run was left running", e);
  }
}
