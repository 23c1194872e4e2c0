package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.run.RunMetrics;
import dev.kindling.core.run.RunPage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "runs",
    description = {
      "List a job's runs, newest first, with queue time, run time, final state, attempts and",
      "the bytes of the release each run used. Page with --limit and --page-token."
    })
final class RunsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Option(
      names = "--job",
      required = true,
      paramLabel = "JOB_ID",
      description = "The job (see `kindling jobs`).")
  String job;

  @Option(
      names = "--limit",
      paramLabel = "K",
      defaultValue = "20",
      description = "Runs per page, 1 to " + RunPage.MAX_LIMIT + " (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--page-token",
      paramLabel = "X",
      description = "The next page token a previous page printed.")
  String pageToken;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      RunPage page;
      try {
        page = k.deployer().listRuns(job, limit, pageToken);
      } catch (UnsupportedOperationException e) {
        spec.commandLine().getErr().println("kindling: " + e.getMessage());
        return ExitCodes.PLATFORM_ERROR;
      }
      if (target.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", job);
        List<Map<String, Object>> runs = new ArrayList<>();
        page.runs().forEach(r -> runs.add(json(r)));
        m.put("runs", runs);
        m.put("next_page_token", page.nextPageToken().orElse(null));
        Output.printJson(out, m);
        return ExitCodes.OK;
      }
      if (page.runs().isEmpty()) {
        out.println("no runs of job " + job + (pageToken == null ? "" : " on this page"));
      } else {
        out.printf(
            Locale.ROOT,
            "%-10s %9s %9s %8s  %-16s %10s  %s%n",
            "STATE",
            "QUEUED",
            "RAN",
            "ATTEMPTS",
            "RELEASE",
            "BYTES",
            "RUN_ID");
        for (RunMetrics r : page.runs()) {
          out.printf(
              Locale.ROOT,
              "%-10s %9s %9s %8d  %-16s %10s  %s%n",
              r.state(),
              duration(r.queueTime()),
              duration(r.runTime()),
              r.attempts(),
              r.release().orElse("-"),
              r.bytesDeployed().isPresent() ? Output.bytes(r.bytesDeployed().getAsLong()) : "-",
              r.runId());
        }
      }
      page.nextPageToken()
          .ifPresent(
              t ->
                  out.println(
                      "more: kindling runs -t "
                          + target.target
                          + " --job "
                          + job
                          + " --limit "
                          + limit
                          + " --page-token "
                          + t));
      out.flush();
      return ExitCodes.OK;
    }
  }

  static Map<String, Object> json(RunMetrics r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", r.runId());
    m.put("state", r.state().name());
    m.put("platform_state", r.platformState());
    m.put("submitted", r.submitted().map(Object::toString).orElse(null));
    m.put("started", r.started().map(Object::toString).orElse(null));
    m.put("ended", r.ended().map(Object::toString).orElse(null));
    m.put("queue_seconds", r.queueTime().map(RunsCommand::seconds).orElse(null));
    m.put("run_seconds", r.runTime().map(RunsCommand::seconds).orElse(null));
    m.put("attempts", r.attempts());
    m.put("release", r.release().orElse(null));
    m.put("bytes_deployed", r.bytesDeployed().isPresent() ? r.bytesDeployed().getAsLong() : null);
    return m;
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static String duration(Optional<Duration> d) {
    if (d.isEmpty()) {
      return "-";
    }
    long s = d.get().toSeconds();
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.get().toMillis() / 1000.0);
    }
    return s < 3600
        ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
        : String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
