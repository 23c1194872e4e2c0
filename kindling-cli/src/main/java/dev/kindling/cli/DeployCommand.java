package dev.kindling.cli;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "deploy",
    description = "Deploy an app (directory or .kda) as a Spark job; optionally run it and wait.")
final class DeployCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin TargetOptions target;

  @Parameters(index = "0", paramLabel = "APP", description = "App directory or .kda archive.")
  Path app;

  @Option(
      names = "--job-name",
      paramLabel = "NAME",
      description = "Job name (default: the app name).")
  String jobName;

  @Option(names = "--run", description = "Start a run after deploying.")
  boolean run;

  @Mixin RunOptions runOptions;

  @Mixin RunSummary summary;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JobConfig config =
        jobName == null
            ? JobConfig.builder().build()
            : JobConfig.builder().jobName(jobName).build();
    try (Kindling k = target.open()) {
      DataAppDeployer deployer = k.deployer();
      DeploymentResult result;
      if (target.json()) {
        result = deployer.deployAsJob(app, config);
      } else {
        try (UploadProgress progress = new UploadProgress(err)) {
          result = deployer.deployAsJob(app, config, progress);
        }
      }
      Map<String, Object> json = Output.deployment(result);
      if (!target.json()) {
        out.println(
            "deployed job "
                + result.jobId()
                + " (release "
                + result.release()
                + ") to "
                + k.target().name()
                + ": "
                + result.filesUploaded()
                + " of "
                + result.filesTotal()
                + " files uploaded ("
                + Output.bytes(result.bytesUploaded())
                + ")");
        out.flush();
      }
      int exit = ExitCodes.OK;
      Optional<JobStatus> runStatus = Optional.empty();
      if (run || runOptions.await) {
        RunOptions.Outcome outcome =
            runOptions.start(
                deployer,
                result.jobId(),
                spec.commandLine(),
                target.json(),
                config.withDefaults(k.target().jobDefaults()).retry());
        json.put("run", outcome.json(result.jobId()));
        exit = outcome.exit();
        runStatus = Optional.of(outcome.status());
      }
      summary.write(
          deployer,
          "deploy",
          app.toString(),
          k.target().name(),
          k.target().platform(),
          Optional.of(result),
          Optional.of(result.jobId()),
          runStatus,
          exit);
      if (target.json()) {
        Output.printJson(out, json);
      }
      return exit;
    }
  }
}
