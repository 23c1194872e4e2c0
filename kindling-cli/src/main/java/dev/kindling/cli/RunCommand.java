package dev.kindling.cli;

import dev.kindling.core.Kindling;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Start a run of a deployed job; optionally wait for it.")
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job id printed by deploy.")
  String jobId;

  @Mixin RunOptions runOptions;

  @Mixin RunSummary summary;

  @Override
  public Integer call() {
    try (Kindling k = target.open()) {
      RunOptions.Outcome outcome =
          runOptions.start(
              k.deployer(),
              jobId,
              spec.commandLine(),
              target.json(),
              k.target().jobDefaults().retry());
      if (target.json()) {
        Output.printJson(spec.commandLine().getOut(), outcome.json(jobId));
      }
      summary.write(
          k.deployer(),
          "run",
          jobId,
          k.target().name(),
          k.target().platform(),
          Optional.empty(),
          Optional.of(jobId),
          Optional.of(outcome.status()),
          outcome.exit());
      return outcome.exit();
    }
  }
}
