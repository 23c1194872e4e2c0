package dev.kindling.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.jshell.tool.JavaShellToolBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "jshell",
    description = {
      "Open JShell with Kindling on the class path. A startup snippet imports the API and defines",
      "`kindling`, `deployer` and `config` for the target, e.g.",
      "  deployer.deployAsJob(Path.of(\"examples/hello-python\"), config)"
    })
final class JShellCommand implements Callable<Integer> {
  @Option(
      names = {"-t", "--target"},
      paramLabel = "TARGET",
      defaultValue = "local",
      description = "Target of the config file for `kindling` (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "kindling.yaml",
      description = "Config file with the targets (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = "--fake",
      description =
          "Use the testkit's in-memory fake platform (`fake` is its FakePlatformService).")
  boolean fake;

  @Parameters(
      paramLabel = "JSHELL_ARG",
      arity = "0..*",
      description = "More jshell options or script files, after `--`.")
  List<String> jshellArgs = new ArrayList<>();

  /** The imports of the startup snippet. */
  static final String IMPORTS =
      "import dev.kindling.core.*; import dev.kindling.core.config.*;"
          + " import dev.kindling.core.deploy.*; import dev.kindling.core.run.*;"
          + " import dev.kindling.core.error.*; import dev.kindling.testkit.*;"
          + " import java.nio.file.*; import java.time.*; import java.util.*;\n";

  /**
   * The startup snippet: imports, then {@code kindling}, {@code deployer} and {@code config} for
   * the target (or the fake), then one line saying what is defined.
   */
  static String startup(boolean fake, Path configFile, String target) {
    StringBuilder s = new StringBuilder(IMPORTS);
    if (fake) {
      s.append("var fake = new FakePlatformService();\n");
      s.append("var kindling = fake.kindling();\n");
    } else {
      s.append("var kindling = Kindling.fromConfig(Path.of(")
          .append(literal(configFile.toString()))
          .append("), ")
          .append(literal(target))
          .append(");\n");
    }
    s.append("var deployer = kindling.deployer();\n");
    s.append("var config = JobConfig.builder().build();\n");
    s.append(
        "System.out.println(\"Kindling: \" + kindling + \" -- try"
            + " deployer.deployAsJob(Path.of(\\\"examples/hello-python\\\"), config)\");\n");
    return s.toString();
  }

  private static String literal(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The class path of this CLI: its jar, or the class path when run from classes. */
  static String classPath() {
    try {
      Path self =
          Path.of(JShellCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(self) ? self.toString() : System.getProperty("java.class.path");
    } catch (URISyntaxException | RuntimeException e) {
      return System.getProperty("java.class.path");
    }
  }

  @Override
  public Integer call() throws Exception {
    Path startup = Files.createTempFile("kindling-jshell-", ".jsh");
    try {
      Files.writeString(startup, startup(fake, config, target));
      List<String> args = new ArrayList<>();
      args.add("--class-path");
      args.add(classPath());
      args.add("--startup");
      args.add("DEFAULT");
      args.add("--startup");
      args.add(startup.toString());
      args.addAll(jshellArgs);
      return JavaShellToolBuilder.builder().start(args.toArray(String[]::new));
    } finally {
      Files.deleteIfExists(startup);
    }
  }
}
