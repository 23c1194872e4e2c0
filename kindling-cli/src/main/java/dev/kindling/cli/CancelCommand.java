package dev.kindling.cli;

import dev.kindling.core.Kindling;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", description = "Cancel a run (false when it had already ended).")
final class CancelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      boolean cancelled = k.deployer().cancelJob(runId);
      if (target.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", runId);
        m.put("cancelled", cancelled);
        Output.printJson(out, m);
      } else {
        out.println(
            cancelled
                ? "cancel requested for run " + runId
                : "run " + runId + " had already ended; nothing to cancel");
      }
      return ExitCodes.OK;
    }
  }
}
