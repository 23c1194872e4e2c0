package dev.kindling.cli;

import dev.kindling.core.deploy.DataAppDeployer;
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

  /** A started run and the exit code it stands for. */
  record Outcome(JobStatus status, int exit) {}

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
