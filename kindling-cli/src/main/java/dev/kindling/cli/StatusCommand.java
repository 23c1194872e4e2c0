package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.run.JobStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "Show a run's state.")
final class StatusCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      JobStatus s = k.deployer().getJobStatus(runId);
      if (target.json()) {
        Output.printJson(out, Output.run(s, null));
      } else {
        out.println(
            s.runId()
                + " "
                + s.state()
                + (s.platformState().isEmpty() ? "" : " (" + s.platformState() + ")"));
        s.startTime().ifPresent(t -> out.println("  started: " + t));
        s.endTime().ifPresent(t -> out.println("  ended:   " + t));
        s.error().ifPresent(e -> out.println("  error:   " + e));
        s.logsLocation().ifPresent(l -> out.println("  logs:    " + l));
      }
      return ExitCodes.OK;
    }
  }
}
