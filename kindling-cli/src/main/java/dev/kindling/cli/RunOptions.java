package dev.kindling.cli;

import dev.kindling.core.config.RunRetry;
import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.RetriedRun;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.run.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --param}, {@code --wait} and {@code --timeout}, and starting a run with them. */
final class RunOptions {
  @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Run parameter; repeatable.")
  List<String> params;

  @Option(names = "--wait", description = "Wait for the run to end.")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "60m",
      converter = DurationConverter.class,
      description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description =
          "With --wait: run a FAILED run again, at most N attempts in all (overrides the job"
              + " config's retry.max_attempts; backoff from it, else 30s doubling).")
  Integer maxAttempts;

  /** A started run, its attempts' run ids (more than one when retried) and its exit code. */
  record Outcome(JobStatus status, int exit, List<String> attempts) {
    Outcome(JobStatus status, int exit) {
      this(status, exit, List.of(status.runId()));
    }

    /** The run's JSON ({@link Output#run}) with its attempts when it was retried. */
    java.util.Map<String, Object> json(String jobId) {
      java.util.Map<String, Object> m = Output.run(status, jobId);
      if (attempts.size() > 1) {
        m.put("attempts", attempts);
      }
      return m;
    }
  }

  /** The retry policy of this run: {@code --max-attempts} over the job config's. */
  java.util.Optional<RunRetry> retry(java.util.Optional<RunRetry> configured) {
    if (maxAttempts == null) {
      return configured.filter(r -> r.maxAttempts() > 1);
    }
    RunRetry base = configured.orElse(RunRetry.attempts(1, java.time.Duration.ofSeconds(30)));
    return java.util.Optional.of(
            new RunRetry(
                maxAttempts,
                base.initialBackoff(),
                base.maxBackoff(),
                base.multiplier(),
                base.on()))
        .filter(r -> r.maxAttempts() > 1);
  }

  /** As {@link #start(DataAppDeployer, String, CommandLine, boolean)} with a retry policy. */
  Outcome start(
      DataAppDeployer deployer,
      String jobId,
      CommandLine cmd,
      boolean json,
      java.util.Optional<RunRetry> configured) {
    java.util.Optional<RunRetry> retry = retry(configured);
    if (retry.isEmpty() || !await || deployer.platform().retriesRunsNatively()) {
      return start(deployer, jobId, cmd, json);
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw new CommandLine.ParameterException(cmd, "--max-attempts must be at least 1");
    }
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    RetriedRun run =
        deployer.start(
            jobId,
            Params.parse(params, cmd),
            retry.get(),
            timeout,
            s -> {
              if (!json) {
                err.println("run " + s.runId() + ": " + s.state());
                err.flush();
              }
            });
    if (!json) {
      out.println(
          "started run " + run.runId() + " (at most " + retry.get().maxAttempts() + " attempts)");
      out.flush();
    }
    JobStatus status;
    int exit;
    try {
      status = run.await();
      exit = ExitCodes.of(status.state());
    } catch (TimedOutException e) {
      err.println("kindling: " + e.getMessage());
      status = deployer.getJobStatus(run.runId());
      exit = ExitCodes.WAIT_TIMED_OUT;
    }
    if (!status.state().isSuccess()) {
      RunWaiter.printTail(deployer, status.runId(), err);
    }
    List<String> ids = run.attempts().stream().map(Attempt::runId).toList();
    if (!json) {
      out.println(
          "run "
              + status.runId()
              + " "
              + status.state()
              + (ids.size() > 1
                  ? " after " + ids.size() + " attempts: " + String.join(", ", ids)
                  : ""));
    }
    return new Outcome(status, exit, ids);
  }

  /**
   * Starts a run of {@code jobId}; with {@code --wait}, waits and reports it. The exit code is the
   * run's ({@link ExitCodes#of}), or {@link ExitCodes#WAIT_TIMED_OUT} when the wait timed out.
   */
  Outcome start(DataAppDeployer deployer, String jobId, CommandLine cmd, boolean json) {
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    String runId = deployer.runJob(jobId, Params.parse(params, cmd));
    if (!json) {
      out.println("started run " + runId);
      out.flush();
    }
    if (!await) {
      return new Outcome(deployer.getJobStatus(runId), ExitCodes.OK);
    }
    Outcome outcome;
    try {
      JobStatus status = RunWaiter.await(deployer, runId, timeout, json, err);
      outcome = new Outcome(status, ExitCodes.of(status.state()));
    } catch (TimedOutException e) {
      err.println("kindling: " + e.getMessage());
      outcome = new Outcome(deployer.getJobStatus(runId), ExitCodes.WAIT_TIMED_OUT);
    }
    if (!json) {
      out.println("run " + runId + " " + outcome.status().state());
    }
    return outcome;
  }
}
