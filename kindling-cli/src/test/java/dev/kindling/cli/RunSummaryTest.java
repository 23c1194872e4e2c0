package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --summary FILE}: the Markdown written for CI job summaries. */
class RunSummaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static final DeploymentResult DEPLOYED =
      new DeploymentResult(
          "job-1", "dbfs:/kindling/x.json", "abc123", "databricks", 5, 2, 2048, null);

  private static JobStatus status(RunState state, String location, String error) {
    return new JobStatus(
        "databricks:42",
        state,
        state == RunState.SUCCEEDED ? "TERMINATED/SUCCESS" : "TERMINATED/FAILED",
        Optional.of(Instant.parse("2026-01-01T00:00:00Z")),
        Optional.of(Instant.parse("2026-01-01T00:01:00Z")),
        Optional.ofNullable(error),
        Optional.ofNullable(location));
  }

  @Test
  void aSucceededRunShowsJobRunStateUrlExitCodeAndOutput() {
    String md =
        RunSummary.markdown(
            new RunSummary.Facts(
                "deploy",
                "my-app",
                "dev",
                "databricks",
                Optional.of(DEPLOYED),
                Optional.of("job-1"),
                Optional.of(
                    status(
                        RunState.SUCCEEDED,
                        "https://adb-1.azuredatabricks.net/jobs/1/runs/42",
                        null)),
                0,
                Optional.of("hello\nworld\n")));

    assertThat(md)
        .startsWith("### ✅ kindling deploy `my-app` → `dev`")
        .contains("| job | `job-1` |")
        .contains("| release | `abc123` |")
        .contains("| files uploaded | 2 of 5 (2.0 KiB) |")
        .contains("| run | `databricks:42` |")
        .contains("| state | **SUCCEEDED** (TERMINATED/SUCCESS) |")
        .contains(
            "| run URL / logs | [https://adb-1.azuredatabricks.net/jobs/1/runs/42]"
                + "(https://adb-1.azuredatabricks.net/jobs/1/runs/42) |")
        .contains("| exit code | 0 — success |")
        .contains("<details><summary>Output</summary>\n\n```text\nhello\nworld\n```\n");
  }

  @Test
  void aFailedRunOpensItsOutputAndEscapesPipesAndBackticks() {
    String md =
        RunSummary.markdown(
            new RunSummary.Facts(
                "run",
                "job-1",
                "dev",
                "databricks",
                Optional.empty(),
                Optional.of("job-1"),
                Optional.of(status(RunState.FAILED, "/tmp/run dir", "a|b <script>")),
                ExitCodes.RUN_FAILED,
                Optional.of("```\nboom\n````")));

    assertThat(md)
        .startsWith("### ❌ kindling run")
        .doesNotContain("| release |")
        .contains("| error | a\\|b &lt;script&gt; |")
        .contains("| run URL / logs | `/tmp/run dir` |")
        .contains("| exit code | 1 — the run failed |")
        .contains("<details open>")
        // the fence is longer than any backtick run of the output
        .contains("`````text\n```\nboom\n````\n`````");
  }

  @Test
  void onlyTheLastFiftyLinesAreShown() {
    String output =
        IntStream.rangeClosed(1, 120).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
    String md =
        RunSummary.markdown(
            new RunSummary.Facts(
                "deploy",
                "a",
                "t",
                "local",
                Optional.empty(),
                Optional.empty(),
                Optional.of(status(RunState.SUCCEEDED, null, null)),
                0,
                Optional.of(output)));

    assertThat(md).contains("Output (last 50 lines)").contains("line 71\n").contains("line 120\n");
    assertThat(md).doesNotContain("line 70\n");
  }

  @Test
  void aTimedOutWaitIsMarkedAsSuch() {
    String md =
        RunSummary.markdown(
            new RunSummary.Facts(
                "deploy",
                "a",
                "t",
                "local",
                Optional.empty(),
                Optional.empty(),
                Optional.of(status(RunState.RUNNING, null, null)),
                ExitCodes.WAIT_TIMED_OUT,
                Optional.empty()));
    assertThat(md).startsWith("### ⏳").contains("4 — the wait timed out; the run keeps running");
  }

  /** Real HTTP: deploy --run --wait --summary against the Databricks emulator, in process. */
  @Test
  void deployWithSummaryAppendsTheRunAndItsUrl() throws Exception {
    try (DatabricksEmulator emulator =
        DatabricksEmulator.start(EmulatorOptions.in(Files.createDirectories(tmp.resolve("emu"))))) {
      Path config = tmp.resolve("kindling.yaml");
      Map<String, Object> target = new java.util.LinkedHashMap<>(emulator.target());
      Files.writeString(config, "targets:\n  emu: " + JSON.writeValueAsString(target) + "\n");
      Path summary = tmp.resolve("summary.md");
      Files.writeString(summary, "# earlier step\n");
      String app = Cli.REPO.resolve("examples/hello-python").toString();

      InitCommandTest.Result r =
          InitCommandTest.cli(
              "deploy",
              app,
              "-t",
              "emu",
              "-c",
              config.toString(),
              "--wait",
              "--timeout",
              "2m",
              "--param",
              "name=summary",
              "--summary",
              summary.toString(),
              "-o",
              "json");

      assertThat(r.exit()).as(r.err()).isZero();
      String md = Files.readString(summary);
      String runId = JSON.readTree(r.out()).get("run").get("run_id").asText();
      assertThat(md)
          .startsWith("# earlier step\n### ✅ kindling deploy")
          .contains("| platform | `databricks` |")
          .contains("| run | `" + runId + "` |")
          .contains("| state | **SUCCEEDED**")
          .contains("| run URL / logs | [" + emulator.baseUrl().toString().replaceAll("/$", ""))
          .contains("Hello, summary!")
          .doesNotContain(emulator.token());
      assertThat(JSON.readTree(r.out()).get("run").get("location").asText())
          .startsWith(emulator.baseUrl().toString().replaceAll("/$", ""));
    }
  }
}
