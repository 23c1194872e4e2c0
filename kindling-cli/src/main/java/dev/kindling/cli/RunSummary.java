package dev.kindling.cli;

import dev.kindling.core.deploy.DataAppDeployer;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code --summary FILE}: appends a Markdown summary of the deploy and run (job, release, run id,
 * state, exit code, the run's URL or log location, and the tail of its output) to {@code FILE}, as
 * GitHub Actions' {@code $GITHUB_STEP_SUMMARY} expects. A mixin of {@code deploy} and {@code run}.
 */
final class RunSummary {
  static final int TAIL_LINES = 50;
  private static final Pattern BACKTICKS = Pattern.compile("`+");

  @Option(
      names = "--summary",
      paramLabel = "FILE",
      description =
          "Append a Markdown summary (job, run, state, URL, output tail) to FILE, e.g."
              + " $GITHUB_STEP_SUMMARY.")
  Path file;

  /** What a summary shows. Absent parts are left out. */
  record Facts(
      String command,
      String app,
      String target,
      String platform,
      Optional<DeploymentResult> deployment,
      Optional<String> jobId,
      Optional<JobStatus> run,
      int exit,
      Optional<String> output) {}

  /** Appends the summary when {@code --summary} was given; the run's output is fetched for it. */
  void write(
      DataAppDeployer deployer,
      String command,
      String app,
      String target,
      String platform,
      Optional<DeploymentResult> deployment,
      Optional<String> jobId,
      Optional<JobStatus> run,
      int exit) {
    if (file == null) {
      return;
    }
    Optional<String> output = Optional.empty();
    Optional<JobStatus> status = run;
    if (run.isPresent() && run.get().isTerminal()) {
      try {
        RunLogs logs = deployer.logs(run.get().runId());
        output = Optional.of(logs.output());
        if (run.get().logsLocation().isEmpty() && logs.location().isPresent()) {
          JobStatus s = run.get();
          status =
              Optional.of(
                  new JobStatus(
                      s.runId(),
                      s.state(),
                      s.platformState(),
                      s.startTime(),
                      s.endTime(),
                      s.error(),
                      logs.location()));
        }
      } catch (RuntimeException e) {
        output = Optional.of("(could not fetch the run's output: " + e.getMessage() + ")");
      }
    }
    append(
        file,
        markdown(
            new Facts(command, app, target, platform, deployment, jobId, status, exit, output)));
  }

  static void append(Path file, String markdown) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file,
          markdown,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the summary to " + file, e);
    }
  }

  /** The Markdown of one summary. */
  static String markdown(Facts f) {
    StringBuilder md = new StringBuilder();
    String icon = f.exit() == ExitCodes.OK ? "✅" : f.exit() == ExitCodes.WAIT_TIMED_OUT ? "⏳" : "❌";
    md.append("### ")
        .append(icon)
        .append(" kindling ")
        .append(f.command())
        .append(' ')
        .append(code(f.app()))
        .append(" → ")
        .append(code(f.target()))
        .append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "platform", code(f.platform()));
    f.jobId().ifPresent(j -> row(md, "job", code(j)));
    f.deployment()
        .ifPresent(
            d -> {
              row(md, "release", code(d.release()));
              row(
                  md,
                  "files uploaded",
                  d.filesUploaded()
                      + " of "
                      + d.filesTotal()
                      + " ("
                      + Output.bytes(d.bytesUploaded())
                      + ")");
            });
    f.run()
        .ifPresent(
            r -> {
              row(md, "run", code(r.runId()));
              row(
                  md,
                  "state",
                  "**"
                      + r.state()
                      + "**"
                      + (r.platformState().isEmpty() ? "" : " (" + cell(r.platformState()) + ")"));
              r.logsLocation().ifPresent(l -> row(md, "run URL / logs", link(l)));
              r.error().ifPresent(e -> row(md, "error", cell(e)));
            });
    row(md, "exit code", f.exit() + " — " + meaning(f.exit()));
    md.append('\n');
    f.output()
        .ifPresent(
            o -> {
              List<String> lines = new ArrayList<>(Arrays.asList(o.split("\n", -1)));
              while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
                lines.remove(lines.size() - 1);
              }
              int from = Math.max(0, lines.size() - TAIL_LINES);
              String tail = String.join("\n", lines.subList(from, lines.size()));
              String fence = "`".repeat(Math.max(3, longestBacktickRun(tail) + 1));
              md.append("<details")
                  .append(f.exit() == ExitCodes.OK ? "" : " open")
                  .append("><summary>Output")
                  .append(from > 0 ? " (last " + TAIL_LINES + " lines)" : "")
                  .append("</summary>\n\n")
                  .append(fence)
                  .append("text\n")
                  .append(tail)
                  .append('\n')
                  .append(fence)
                  .append("\n\n</details>\n\n");
            });
    return md.toString();
  }

  static String meaning(int exit) {
    return switch (exit) {
      case ExitCodes.OK -> "success";
      case ExitCodes.RUN_FAILED -> "the run failed";
      case ExitCodes.USAGE -> "usage, config or app error";
      case ExitCodes.RUN_CANCELLED -> "the run was cancelled";
      case ExitCodes.WAIT_TIMED_OUT -> "the wait timed out; the run keeps running";
      case ExitCodes.PLATFORM_ERROR -> "platform, auth or network error";
      default -> "exit code " + exit;
    };
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  /** Inline code that survives backticks and pipes in the value. */
  static String code(String s) {
    String fence = "`".repeat(longestBacktickRun(s) + 1);
    String pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
    return fence + pad + s.replace("|", "\\|").replace("\n", " ") + pad + fence;
  }

  /** Table cell text: pipes escaped, one line, no HTML. */
  static String cell(String s) {
    return s.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "")
        .replace("\n", " ");
  }

  private static String link(String location) {
    if (location.startsWith("https://") || location.startsWith("http://")) {
      if (!location.contains(")") && !location.contains(" ") && !location.contains("|")) {
        return "[" + cell(location) + "](" + location + ")";
      }
    }
    return code(location);
  }

  private static int longestBacktickRun(String s) {
    int max = 0;
    Matcher m = BACKTICKS.matcher(s);
    while (m.find()) {
      max = Math.max(max, m.group().length());
    }
    return max;
  }
}
