package dev.kindling.cli;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.TimedOutException;
import dev.kindling.core.error.ValidationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kindling} command. */
@Command(
    name = "kindling",
    mixinStandardHelpOptions = true,
    versionProvider = KindlingCli.Version.class,
    description = "Deploy data apps as Spark jobs on Fabric, Databricks, Synapse or this machine.",
    subcommands = {
      DeployCommand.class,
      RunCommand.class,
      StatusCommand.class,
      LogsCommand.class,
      CancelCommand.class,
      JobsCommand.class,
      ResultCommand.class,
      RunsCommand.class,
      ScheduleCommand.class,
      PackageCommand.class,
      ValidateCommand.class,
      EmulatorCommand.class,
      GraphCommand.class,
      JShellCommand.class,
      InitCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the run ended FAILED",
      "2:usage, config or app validation error (nothing was touched)",
      "3:the run ended CANCELLED",
      "4:--wait timed out (the run keeps running)",
      "5:platform, auth or network error"
    })
public final class KindlingCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    configureLogging(args);
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new KindlingCli());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setExecutionExceptionHandler(KindlingCli::handle);
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("kindling: " + ex.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.USAGE;
        });
    return cmd;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof ValidationException ve) {
      err.println("kindling: " + ve.getMessage());
      return ExitCodes.USAGE;
    }
    if (e instanceof TimedOutException te) {
      err.println("kindling: " + te.getMessage());
      return ExitCodes.WAIT_TIMED_OUT;
    }
    if (e instanceof KindlingException ke) {
      StringBuilder sb = new StringBuilder("kindling: ").append(ke.getMessage());
      ke.requestId().ifPresent(id -> sb.append(" [request id ").append(id).append(']'));
      err.println(sb);
      if (Boolean.getBoolean("kindling.debug")) {
        e.printStackTrace(err);
      }
      return ExitCodes.PLATFORM_ERROR;
    }
    err.println("kindling: unexpected error: " + e);
    e.printStackTrace(err);
    return ExitCodes.PLATFORM_ERROR;
  }

  /** Logs go to stderr; WARN unless -v (INFO) or --debug (DEBUG, secrets still redacted). */
  private static void configureLogging(String[] args) {
    String level = "warn";
    for (String a : args) {
      if (a.equals("-v") || a.equals("--verbose")) {
        level = "info";
      } else if (a.equals("--debug")) {
        level = "debug";
        System.setProperty("kindling.debug", "true");
      }
    }
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
    if (!level.equals("debug")) {
      // The Databricks SDK warns, with a stack trace, when a workspace (or the emulator) lacks
      // an optional discovery endpoint, then falls back; real problems reach us as exceptions.
      setIfAbsent("org.slf4j.simpleLogger.log.com.databricks.sdk", "error");
    }
    // The Databricks SDK's Apache HttpClient logs every header and byte on the wire at DEBUG,
    // the Authorization header (the token) included: never at --debug.
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.http.wire", "info");
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.http.headers", "info");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
    setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KindlingCli.class.getPackage().getImplementationVersion();
      return new String[] {
        "kindling " + (v == null ? "development build" : v),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
