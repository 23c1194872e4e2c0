package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.Attempt;
import dev.kindling.core.graph.GraphRun;
import dev.kindling.core.graph.GraphRunner;
import dev.kindling.core.graph.JobGraph;
import dev.kindling.core.graph.JobGraphs;
import dev.kindling.core.graph.TaskRun;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kindling graph run|validate NAME}: the job graphs of {@code kindling.yaml}. */
@Command(
    name = "graph",
    description = "Run or check a job graph (the `graphs:` section of kindling.yaml).",
    subcommands = {GraphCommand.Run.class, GraphCommand.Validate.class})
final class GraphCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "run",
      description =
          "Deploy every task of the graph and run them in dependency order. Databricks runs the"
              + " graph as one multi-task job; elsewhere Kindling runs the tasks and waits for"
              + " them (so it always waits).")
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin TargetOptions target;

    @Parameters(index = "0", paramLabel = "GRAPH", description = "The graph's name.")
    String graph;

    @Option(
        names = "--param",
        paramLabel = "KEY=VALUE",
        description = "Run parameter for every task; repeatable.")
    List<String> params;

    @Option(names = "--wait", description = "Wait for a Databricks graph run to end.")
    boolean await;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "6h",
        converter = DurationConverter.class,
        description = "How long the graph may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
      CommandLine cmd = spec.commandLine();
      PrintWriter out = cmd.getOut();
      JobGraph g = JobGraphs.load(target.config, graph);
      try (Kindling k = target.open()) {
        GraphRun run = new GraphRunner(k.deployer()).start(g, Params.parse(params, cmd), timeout);
        boolean json = target.json();
        if (!json) {
          out.println(
              "started graph "
                  + g.name()
                  + " ("
                  + g.tasks().size()
                  + " tasks, "
                  + mode(run)
                  + ")"
                  + run.runId().map(id -> ": run " + id).orElse(""));
          out.flush();
          run.onTaskChange(
              t -> {
                synchronized (out) {
                  out.println(
                      "  " + t.task() + " " + t.state() + t.runId().map(id -> " " + id).orElse(""));
                  out.flush();
                }
              });
        }
        if (run.mode() == GraphRun.Mode.NATIVE && !await) {
          if (json) {
            Output.printJson(out, report(run, null));
          }
          return ExitCodes.OK;
        }
        RunState end = run.await();
        if (json) {
          Output.printJson(out, report(run, end));
        } else {
          out.println("graph " + g.name() + " " + end);
          printTable(out, run.tasks());
        }
        return ExitCodes.of(end);
      }
    }

    private static String mode(GraphRun run) {
      return run.mode() == GraphRun.Mode.NATIVE ? "one platform job" : "run by kindling";
    }
  }

  @Command(
      name = "validate",
      description = "Check a graph, its apps and their configs; touch nothing.")
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin TargetOptions target;

    @Parameters(index = "0", paramLabel = "GRAPH", description = "The graph's name.")
    String graph;

    @Override
    public Integer call() {
      JobGraph g = JobGraphs.load(target.config, graph);
      try (Kindling k = target.open()) {
        new GraphRunner(k.deployer()).validate(g);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (target.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("graph", g.name());
        m.put("valid", true);
        m.put("order", g.topologicalOrder().stream().map(t -> t.name()).toList());
        Output.printJson(out, m);
      } else {
        out.println(
            "graph "
                + g.name()
                + " is valid: "
                + String.join(" -> ", g.topologicalOrder().stream().map(t -> t.name()).toList()));
      }
      return ExitCodes.OK;
    }
  }

  static Map<String, Object> report(GraphRun run, RunState end) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("graph", run.graph());
    m.put("mode", run.mode().name().toLowerCase(java.util.Locale.ROOT));
    run.runId().ifPresent(id -> m.put("run_id", id));
    m.put("state", end == null ? null : end.name());
    List<Map<String, Object>> tasks = new ArrayList<>();
    for (TaskRun t : run.tasks()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("task", t.task());
      tm.put("state", t.state().name());
      tm.put("job_id", t.jobId().orElse(null));
      tm.put("run_id", t.runId().orElse(null));
      List<Map<String, Object>> attempts = new ArrayList<>();
      for (Attempt a : t.attempts()) {
        Map<String, Object> am = new LinkedHashMap<>();
        am.put("number", a.number());
        am.put("run_id", a.runId());
        am.put("state", a.end().map(JobStatus::state).map(Enum::name).orElse(null));
        attempts.add(am);
      }
      tm.put("attempts", attempts);
      tm.put("message", t.message().orElse(null));
      tm.put("upstream_failed", t.upstreamFailed());
      tasks.add(tm);
    }
    m.put("tasks", tasks);
    return m;
  }

  static void printTable(PrintWriter out, List<TaskRun> tasks) {
    int width = Math.max(4, tasks.stream().mapToInt(t -> t.task().length()).max().orElse(4));
    out.printf("%-" + width + "s  %-9s  %-8s  %s%n", "TASK", "STATE", "ATTEMPTS", "RUN / NOTE");
    for (TaskRun t : tasks) {
      String note =
          t.runId().orElse("")
              + t.message().map(msg -> (t.runId().isPresent() ? "  " : "") + msg).orElse("");
      out.printf(
          "%-" + width + "s  %-9s  %-8d  %s%n", t.task(), t.state(), t.attempts().size(), note);
    }
    out.flush();
  }
}
