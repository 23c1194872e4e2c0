package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.run.RunLogs;
import dev.kindling.core.time.SystemScheduler;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", description = "Print a run's output (and its result, when it has ended).")
final class LogsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--follow", description = "Keep printing new output until the run ends.")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      DataAppDeployer deployer = k.deployer();
      RunLogs logs = deployer.logs(runId);
      if (target.json()) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("run_id", runId);
        m.put("output", logs.output());
        m.put("result", logs.resultJson().map(LogsCommand::parse).orElse(null));
        m.put("location", logs.location().orElse(null));
        Output.printJson(out, m);
        return ExitCodes.OK;
      }
      int printed = print(out, logs.output(), 0);
      if (follow) {
        while (!deployer.getJobStatus(runId).isTerminal()) {
          SystemScheduler.get().sleep(k.platform().pollInterval());
          printed = print(out, deployer.logs(runId).output(), printed);
        }
        logs = deployer.logs(runId);
        print(out, logs.output(), printed);
      }
      logs.resultJson()
          .ifPresent(
              r -> {
                out.println("---- result.json ----");
                out.println(r);
              });
      return ExitCodes.OK;
    }
  }

  private static int print(PrintWriter out, String text, int from) {
    if (text.length() > from) {
      out.print(text.substring(from));
      out.flush();
      return text.length();
    }
    return from;
  }

  private static Object parse(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new KindlingException("the run's result.json is not JSON: " + e.getMessage(), e);
    }
  }
}
