package dev.kindling.cli;

import dev.kindling.core.app.DataApp;
import dev.kindling.core.app.KdaArchive;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "package", description = "Pack an app directory into a .kda archive.")
final class PackageCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "APP_DIR")
  Path appDir;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE.kda",
      description = "Archive to write (default: dist/<name>-v<version>.kda).")
  Path output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (DataApp app = DataApp.load(appDir)) {
      Path target =
          output != null
              ? output
              : Path.of("dist", app.name() + "-v" + app.manifest().version() + ".kda");
      Path written = KdaArchive.write(app, target);
      out.println(
          "packaged " + app.files().size() + " files of " + app.name() + " into " + written);
      return ExitCodes.OK;
    }
  }
}
