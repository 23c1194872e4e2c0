package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.run.RunResult;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "result",
    description = {
      "Show a run's result: final state, exit code, error and traceback, the value the app",
      "returned (kindling.set_result(...) or a module-level `result`) and its output tail.",
      "Exits like `run --wait`: 0 succeeded, 1 failed, 3 cancelled; 4 when the run has not ended."
    })
final class ResultCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "RUN_ID")
  String runId;

  @Option(
      names = "--tail",
      paramLabel = "N",
      defaultValue = "20",
      description = "Output lines to print in text mode (default ${DEFAULT-VALUE}; JSON has all).")
  int tail;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      RunResult r = k.deployer().result(runId);
      if (target.json()) {
        Output.printJson(out, json(r));
      } else {
        print(out, r);
      }
      return r.state().isTerminal() ? ExitCodes.of(r.state()) : ExitCodes.WAIT_TIMED_OUT;
    }
  }

  static Map<String, Object> json(RunResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", r.runId());
    m.put("state", r.state().name());
    m.put("result_written", r.resultWritten());
    m.put("exit_state", r.exitState());
    m.put("exit_code", r.exitCode().isPresent() ? r.exitCode().getAsInt() : null);
    m.put("error", r.error().orElse(null));
    m.put("traceback", r.traceback().orElse(null));
    m.put("value", r.value().orElse(null));
    m.put("value_error", r.valueError().orElse(null));
    m.put("app", r.app().orElse(null));
    m.put("release", r.release().orElse(null));
    m.put("start_time", r.start().map(Object::toString).orElse(null));
    m.put("end_time", r.end().map(Object::toString).orElse(null));
    m.put("output_tail", r.outputTail());
    return m;
  }

  private void print(PrintWriter out, RunResult r) {
    out.println(
        r.runId()
            + " "
            + r.state()
            + (r.exitCode().isPresent() ? " (exit code " + r.exitCode().getAsInt() + ")" : ""));
    r.release().ifPresent(v -> out.println("  release: " + v));
    r.start().ifPresent(t -> out.println("  started: " + t));
    r.end().ifPresent(t -> out.println("  ended:   " + t));
    r.error().ifPresent(e -> out.println("  error:   " + e));
    r.value().ifPresent(v -> out.println("  value:   " + v));
    r.valueError().ifPresent(e -> out.println("  value not recorded: " + e));
    if (!r.resultWritten()) {
      out.println(
          r.state().isTerminal()
              ? "  (the run wrote no result.json; its state is the platform's)"
              : "  (the run has not ended; its result is written when it does)");
    }
    r.traceback()
        .ifPresent(
            t -> {
              out.println("---- traceback ----");
              out.print(t.endsWith("\n") ? t : t + "\n");
            });
    List<String> lines = r.outputTail();
    int n = Math.max(0, Math.min(tail, lines.size()));
    if (n > 0) {
      out.println("---- output (last " + n + " lines) ----");
      lines.subList(lines.size() - n, lines.size()).forEach(out::println);
    }
    out.flush();
  }
}
