package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.run.JobInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "jobs", description = "List the jobs Kindling deployed on a target.")
final class JobsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Kindling k = target.open()) {
      List<JobInfo> jobs = k.deployer().listJobs();
      if (target.json()) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (JobInfo j : jobs) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("job_id", j.jobId());
          m.put("name", j.name());
          m.putAll(j.attributes());
          list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("platform", k.target().platform());
        m.put("jobs", list);
        Output.printJson(out, m);
      } else if (jobs.isEmpty()) {
        out.println("no Kindling jobs on target " + k.target().name());
      } else {
        for (JobInfo j : jobs) {
          StringBuilder line = new StringBuilder(j.jobId());
          if (!j.name().equals(j.jobId())) {
            line.append("  ").append(j.name());
          }
          new java.util.TreeMap<>(j.attributes())
              .forEach((key, v) -> line.append("  ").append(key).append('=').append(v));
          out.println(line);
        }
      }
      return ExitCodes.OK;
    }
  }
}
