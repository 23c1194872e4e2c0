package dev.kindling.core.deploy;

import dev.kindling.core.config.RunRetry;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ScheduledTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run that Kindling's wait loop submits again when it ends in a state its {@link RunRetry} names,
 * after a backoff on the deployer's {@link dev.kindling.core.time.Scheduler}. Each attempt keeps
 * its own run id ({@link #attempts()}). A cancel ({@link #cancel()}, or a run cancelled on the
 * platform) is final: it is never retried. Made by {@link DataAppDeployer#start(String, Map,
 * RunRetry, Duration, Consumer)}.
 */
public final class RetriedRun {
  private static final Logger log = LoggerFactory.getLogger(RetriedRun.class);

  private final DataAppDeployer deployer;
  private final String jobId;
  private final Map<String, String> params;
  private final RunRetry retry;
  private final Instant deadline;
  private final Consumer<JobStatus> onChange;
  private final CompletableFuture<JobStatus> result = new CompletableFuture<>();

  // guarded by this
  private final List<Attempt> attempts = new ArrayList<>();
  private boolean cancelled;
  private ScheduledTask pendingRetry;

  RetriedRun(
      DataAppDeployer deployer,
      String jobId,
      Map<String, String> params,
      RunRetry retry,
      Instant deadline,
      Consumer<JobStatus> onChange) {
    this.deployer = Objects.requireNonNull(deployer);
    this.jobId = Objects.requireNonNull(jobId);
    this.params = Map.copyOf(params);
    this.retry = Objects.requireNonNull(retry);
    this.deadline = Objects.requireNonNull(deadline);
    this.onChange = Objects.requireNonNull(onChange);
  }

  /** Submits the first attempt; a failure to submit it is thrown. */
  RetriedRun start() {
    submit();
    return this;
  }

  private void submit() {
    String runId = deployer.runJob(jobId, params);
    int number;
    synchronized (this) {
      number = attempts.size() + 1;
      attempts.add(new Attempt(number, runId, Optional.empty()));
    }
    Duration left = Duration.between(deployer.scheduler().now(), deadline);
    deployer
        .watch(runId, left.isNegative() ? Duration.ZERO : left, onChange)
        .whenComplete((status, failure) -> ended(number, runId, status, failure));
  }

  private void ended(int number, String runId, JobStatus status, Throwable failure) {
    if (failure != null) {
      result.completeExceptionally(failure);
      return;
    }
    Duration backoff = retry.backoffAfter(number);
    boolean again;
    synchronized (this) {
      attempts.set(number - 1, new Attempt(number, runId, Optional.of(status)));
      again =
          !cancelled
              && retry.retries(status.state(), number)
              && !deployer.scheduler().now().plus(backoff).isAfter(deadline);
      if (again) {
        log.info(
            "{} ended {}; attempt {} of {} in {} ms",
            runId,
            status.state(),
            number + 1,
            retry.maxAttempts(),
            backoff.toMillis());
        pendingRetry = deployer.scheduler().schedule(this::retryNow, backoff);
      }
    }
    if (!again) {
      result.complete(status);
    }
  }

  private void retryNow() {
    synchronized (this) {
      pendingRetry = null;
      if (cancelled) {
        result.complete(attempts.get(attempts.size() - 1).end().orElseThrow());
        return;
      }
    }
    try {
      submit();
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** The run id of the latest attempt. */
  public synchronized String runId() {
    return attempts.get(attempts.size() - 1).runId();
  }

  /** Every attempt so far, the first one first. */
  public synchronized List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Completes with the last attempt's terminal status. */
  public CompletableFuture<JobStatus> future() {
    return result;
  }

  /**
   * Cancels the current attempt and stops retrying; true if a run was asked to cancel or a retry
   * was called off.
   */
  public boolean cancel() {
    String current;
    synchronized (this) {
      cancelled = true;
      if (pendingRetry != null) {
        pendingRetry.cancel();
        pendingRetry = null;
        result.complete(attempts.get(attempts.size() - 1).end().orElseThrow());
        return true;
      }
      current = attempts.get(attempts.size() - 1).runId();
    }
    return deployer.cancelJob(current);
  }

  /** Waits for the last attempt to end (the deadline was set when the run started). */
  public JobStatus await() {
    try {
      return result.get();
    } catch (InterruptedException e) {
      throw RunHandle.interrupted(runId(), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KindlingException ke) {
        throw ke;
      }
      throw new KindlingException("waiting for run " + runId() + " failed: " + e.getCause(), e);
    } catch (CancellationException e) {
      throw new KindlingException("the wait for run " + runId() + " was cancelled", e);
    }
  }

  /** True when the last attempt succeeded. */
  public boolean succeeded() {
    return result.isDone()
        && !result.isCompletedExceptionally()
        && result.join().state() == RunState.SUCCEEDED;
  }

  @Override
  public String toString() {
    return "RetriedRun{job "
        + jobId
        + ", "
        + attempts().size()
        + " attempt(s), "
        + retry.maxAttempts()
        + " at most}";
  }
}
