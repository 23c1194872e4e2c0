package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.run.JobStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Start a run of a deployed job; optionally wait for it.")
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job id printed by deploy.")
  String jobId;

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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    var runParams = Params.parse(params, spec.commandLine());
    try (Kindling k = target.open()) {
      DataAppDeployer deployer = k.deployer();
      String runId = deployer.runJob(jobId, runParams);
      int exit = ExitCodes.OK;
      JobStatus status;
      if (!target.json()) {
        out.println("started run " + runId);
        out.flush();
      }
      if (await) {
        try {
          status = RunWaiter.await(deployer, runId, timeout, target.json(), err);
          exit = ExitCodes.of(status.state());
        } catch (TimedOutException e) {
          err.println("kindling: " + e.getMessage());
          status = deployer.getJobStatus(runId);
          exit = ExitCodes.WAIT_TIMED_OUT;
        }
        if (!target.json()) {
          out.println("run " + runId + " " + status.state());
        }
      } else {
        status = deployer.getJobStatus(runId);
      }
      if (target.json()) {
        Output.printJson(out, Output.run(status, jobId));
      }
      return exit;
    }
  }
}
