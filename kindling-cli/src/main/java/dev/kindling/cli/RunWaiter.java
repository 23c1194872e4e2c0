package dev.kindling.cli;

import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Waits for a run and reports it: state changes and the output on stderr. */
final class RunWaiter {
  private static final int TAIL_LINES = 200;

  private RunWaiter() {}

  static JobStatus await(
      DataAppDeployer deployer, String runId, Duration timeout, boolean json, PrintWriter err) {
    JobStatus status =
        deployer.awaitRun(
            runId,
            timeout,
            s -> {
              if (!json) {
                err.println(
                    "run "
                        + s.runId()
                        + ": "
                        + s.state()
                        + (s.platformState().isEmpty() ? "" : " (" + s.platformState() + ")"));
                err.flush();
              }
            });
    if (!json || !status.state().isSuccess()) {
      printTail(deployer, runId, err);
    }
    status.error().ifPresent(e -> err.println("error: " + e));
    err.flush();
    return status;
  }

  static void printTail(DataAppDeployer deployer, String runId, PrintWriter err) {
    try {
      RunLogs logs = deployer.logs(runId);
      List<String> lines = Arrays.asList(logs.output().split("\n", -1));
      int from = Math.max(0, lines.size() - TAIL_LINES);
      err.println(
          "---- output of run "
              + runId
              + (from > 0 ? " (last " + TAIL_LINES + " lines)" : "")
              + " ----");
      for (String l : lines.subList(from, lines.size())) {
        err.println(l);
      }
      err.println("---- end of output ----");
    } catch (RuntimeException e) {
      err.println("(could not fetch the run's output: " + e.getMessage() + ")");
    }
  }
}
