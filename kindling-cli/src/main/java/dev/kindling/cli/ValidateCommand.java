package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "validate",
    description = "Check an app and the target's job config without touching the platform.")
final class ValidateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "APP")
  Path app;

  @Option(
      names = "--job-name",
      paramLabel = "NAME",
      description = "Job name (default: the app name).")
  String jobName;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    JobConfig config =
        jobName == null
            ? JobConfig.builder().build()
            : JobConfig.builder().jobName(jobName).build();
    try (Kindling k = target.open()) {
      DataAppDeployer deployer = k.deployer();
      try (DataAppDeployer.PreparedApp p = deployer.prepare(app, config)) {
        if (target.json()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("valid", true);
          m.put("app", p.files().appName());
          m.put("job_name", p.config().jobName().orElse(null));
          m.put("platform", k.target().platform());
          m.put("files", p.files().files().size());
          m.put("bytes", p.files().totalBytes());
          Output.printJson(out, m);
        } else {
          out.println(
              "ok: "
                  + p.files().appName()
                  + " is ready to deploy to "
                  + k.target().name()
                  + " as job "
                  + p.config().jobName().orElse("?")
                  + " ("
                  + p.files().files().size()
                  + " files, "
                  + Output.bytes(p.files().totalBytes())
                  + ")");
        }
      }
      return ExitCodes.OK;
    }
  }
}
