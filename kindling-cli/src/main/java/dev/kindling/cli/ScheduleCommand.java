package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import dev.kindling.core.run.JobInfo;
import dev.kindling.core.schedule.JobSchedule;
import dev.kindling.core.schedule.ScheduleInfo;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kindling schedule set|show|pause|resume|remove}: a deployed job's schedule. */
@Command(
    name = "schedule",
    description = "Set, show, pause, resume or remove a deployed job's schedule.",
    subcommands = {
      ScheduleCommand.Set.class,
      ScheduleCommand.Show.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Resume.class,
      ScheduleCommand.Remove.class
    })
final class ScheduleCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** What every subcommand shares: the target and the job. */
  abstract static class JobCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin TargetOptions target;

    @Option(
        names = {"-j", "--job"},
        required = true,
        paramLabel = "JOB",
        description = "The job's id or name (see `kindling jobs`).")
    String job;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      precheck(); // bad input fails before the config is even read
      try (Kindling k = target.open()) {
        DataAppDeployer deployer = k.deployer();
        try {
          return run(deployer, resolve(deployer), out);
        } catch (UnsupportedOperationException e) {
          spec.commandLine().getErr().println("kindling: " + e.getMessage());
          return ExitCodes.USAGE;
        }
      }
    }

    /** Checks the options; throws a {@link ValidationException} naming every problem. */
    void precheck() {}

    abstract int run(DataAppDeployer deployer, String jobId, PrintWriter out);

    /** The job id: {@code job} itself when it is a job's id, else the id of the job so named. */
    private String resolve(DataAppDeployer deployer) {
      List<JobInfo> jobs = deployer.listJobs();
      for (JobInfo j : jobs) {
        if (j.jobId().equalsIgnoreCase(job)) {
          return j.jobId();
        }
      }
      List<JobInfo> named = jobs.stream().filter(j -> j.name().equalsIgnoreCase(job)).toList();
      if (named.size() == 1) {
        return named.get(0).jobId();
      }
      throw new ValidationException(
          List.of(
              dev.kindling.core.error.Problem.of(
                  "--job",
                  named.isEmpty()
                      ? "no job with id or name `" + job + "` on target " + target.target
                      : named.size() + " jobs are named `" + job + "`",
                  named.isEmpty()
                      ? "see `kindling jobs -t " + target.target + "`"
                      : "give the job id instead")));
    }

    int toggle(
        boolean found,
        DataAppDeployer deployer,
        String jobId,
        PrintWriter out,
        String action,
        String verb) {
      if (!found) {
        if (target.json()) {
          print(out, jobId, Optional.empty(), null);
        }
        spec.commandLine()
            .getErr()
            .println(
                "kindling: job "
                    + jobId
                    + " has no schedule to "
                    + verb
                    + "; set one with `kindling schedule set`");
        return ExitCodes.USAGE;
      }
      print(out, jobId, deployer.getSchedule(jobId), action);
      return ExitCodes.OK;
    }

    void print(PrintWriter out, String jobId, Optional<ScheduleInfo> info, String action) {
      if (target.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", jobId);
        if (action != null) {
          m.put("action", action);
        }
        m.put("scheduled", info.isPresent());
        info.ifPresent(
            i -> {
              m.put("enabled", i.enabled());
              m.put("schedule", i.schedule().map(JobSchedule::toMap).orElse(null));
              m.put("summary", i.summary());
              m.put("definition", i.definition());
            });
        Output.printJson(out, m);
        return;
      }
      if (info.isEmpty()) {
        out.println("job " + jobId + " has no schedule");
        return;
      }
      ScheduleInfo i = info.get();
      out.println(
          "job "
              + jobId
              + (action == null ? "" : " " + action)
              + ": "
              + i.schedule().map(JobSchedule::describe).orElse("(a schedule Kindling cannot read)")
              + (i.enabled() ? "" : i.schedule().isPresent() ? "" : " (paused)"));
      out.println("  on the platform: " + i.summary());
    }
  }

  @Command(name = "set", description = "Set (create or replace) the job's schedule.")
  static final class Set extends JobCommand {
    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        description =
            "Five-field cron: minute hour day-of-month month day-of-week, e.g. '0 6 * * MON-FRI'.")
    String cron;

    @Option(
        names = "--every",
        paramLabel = "INTERVAL",
        description = "A fixed interval instead of --cron: 30m, 2h, 1d.")
    String every;

    @Option(
        names = {"--zone", "--time-zone"},
        paramLabel = "ZONE",
        description = "IANA time zone of the cron expression (default UTC), e.g. Europe/London.")
    String zone;

    @Option(
        names = "--start",
        paramLabel = "TIME",
        description = "First possible run: 2026-12-01, 2026-12-01T06:00 (in --zone) or an instant.")
    String start;

    @Option(names = "--end", paramLabel = "TIME", description = "No runs after this time.")
    String end;

    @Option(names = "--paused", description = "Set the schedule paused (resume it later).")
    boolean paused;

    private JobSchedule schedule;

    @Override
    void precheck() {
      Map<String, Object> m = new LinkedHashMap<>();
      put(m, "cron", cron);
      put(m, "every", every);
      put(m, "time_zone", zone);
      put(m, "start", start);
      put(m, "end", end);
      m.put("enabled", !paused);
      Problems problems = new Problems();
      schedule = JobSchedule.fromMap(m, "schedule", problems).orElse(null);
      problems.throwIfAny();
    }

    private static void put(Map<String, Object> m, String key, String value) {
      if (value != null) {
        m.put(key, value);
      }
    }

    @Override
    int run(DataAppDeployer deployer, String jobId, PrintWriter out) {
      ScheduleInfo info = deployer.setSchedule(jobId, schedule);
      print(out, jobId, Optional.of(info), "scheduled");
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", description = "Show the job's schedule as the platform holds it.")
  static final class Show extends JobCommand {
    @Override
    int run(DataAppDeployer deployer, String jobId, PrintWriter out) {
      print(out, jobId, deployer.getSchedule(jobId), null);
      return ExitCodes.OK;
    }
  }

  @Command(name = "pause", description = "Pause the job's schedule (no runs until resumed).")
  static final class Pause extends JobCommand {
    @Override
    int run(DataAppDeployer deployer, String jobId, PrintWriter out) {
      return toggle(deployer.pauseSchedule(jobId), deployer, jobId, out, "paused", "pause");
    }
  }

  @Command(name = "resume", description = "Resume the job's paused schedule.")
  static final class Resume extends JobCommand {
    @Override
    int run(DataAppDeployer deployer, String jobId, PrintWriter out) {
      return toggle(deployer.resumeSchedule(jobId), deployer, jobId, out, "resumed", "resume");
    }
  }

  @Command(name = "remove", description = "Remove the job's schedule (the job stays).")
  static final class Remove extends JobCommand {
    @Override
    int run(DataAppDeployer deployer, String jobId, PrintWriter out) {
      boolean removed = deployer.removeSchedule(jobId);
      if (target.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", jobId);
        m.put("action", "removed");
        m.put("removed", removed);
        Output.printJson(out, m);
      } else {
        out.println(
            removed
                ? "job " + jobId + ": schedule removed"
                : "job " + jobId + " had no schedule; nothing removed");
      }
      return ExitCodes.OK;
    }
  }
}
