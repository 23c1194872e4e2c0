package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kindling-deploy composite action's step ({@code .github/actions/kindling-deploy/
 * kindling-deploy.sh}) run with bash as GitHub runs it: INPUT_* variables in, the packaged CLI jar,
 * and {@code $GITHUB_STEP_SUMMARY} and {@code $GITHUB_OUTPUT} files out.
 */
class GithubActionE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT =
      Cli.REPO.resolve(".github/actions/kindling-deploy/kindling-deploy.sh");

  @TempDir Path home;
  @TempDir Path work;

  private Path summary;
  private Path outputs;

  record Step(int exit, String log, String summary, Map<String, String> outputs) {}

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    summary = work.resolve("summary.md");
    outputs = work.resolve("outputs.txt");
  }

  private Step step(Map<String, String> inputs, Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString())
            .directory(work.toFile())
            .redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.put("KINDLING_HOME", home.toString());
    e.put("GITHUB_STEP_SUMMARY", summary.toString());
    e.put("GITHUB_OUTPUT", outputs.toString());
    e.put("INPUT_CLI_JAR", Cli.JAR.toAbsolutePath().toString());
    inputs.forEach((k, v) -> e.put("INPUT_" + k.toUpperCase().replace('-', '_'), v));
    e.putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    Map<String, String> out = new LinkedHashMap<>();
    if (Files.exists(outputs)) {
      for (String line : Files.readAllLines(outputs)) {
        int eq = line.indexOf('=');
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    String md = Files.exists(summary) ? Files.readString(summary) : "";
    return new Step(p.exitValue(), log, md, out);
  }

  private static Map<String, String> inputs(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aSucceededRunPassesTheStepWithOutputsAndSummary() throws Exception {
    Step s =
        step(
            inputs(
                "app", Cli.REPO.resolve("examples/hello-python").toString(),
                "target", "local",
                "params", "name=Actions\n  # a comment\n\ngreeting=Hi there",
                "timeout", "2m"),
            Map.of());

    assertThat(s.exit()).as(s.log()).isZero();
    assertThat(s.log()).contains("::group::kindling validate").contains("::endgroup::");
    assertThat(s.outputs())
        .containsEntry("job-id", "hello-python")
        .containsEntry("state", "SUCCEEDED")
        .containsEntry("exit-code", "0");
    assertThat(s.outputs().get("run-id")).isNotBlank();
    assertThat(s.summary())
        .startsWith("### ✅ kindling deploy")
        .contains("| run | `" + s.outputs().get("run-id") + "` |")
        .contains("| state | **SUCCEEDED**")
        .contains("Hi there, Actions!");
  }

  @Test
  void aFailedRunFailsTheStepWithExitCodeOneAndTheTracebackInTheSummary() throws Exception {
    Step s =
        step(
            inputs(
                "app", Cli.REPO.resolve("examples/hello-python").toString(),
                "target", "local",
                "params", "count=not-a-number"),
            Map.of());

    assertThat(s.exit()).as(s.log()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(s.outputs()).containsEntry("state", "FAILED").containsEntry("exit-code", "1");
    assertThat(s.log()).contains("::error title=kindling run failed::");
    assertThat(s.summary())
        .startsWith("### ❌ kindling deploy")
        .contains("| state | **FAILED**")
        .contains("| exit code | 1 — the run failed |")
        .contains("<details open>")
        .contains("ValueError");
  }

  @Test
  void anInvalidTargetFailsValidationWithExitCodeTwoAndNothingDeployed() throws Exception {
    Files.writeString(work.resolve("kindling.yaml"), "targets:\n  dev:\n    platform: local\n");
    Step s =
        step(
            inputs("app", Cli.REPO.resolve("examples/hello-python").toString(), "target", "prod"),
            Map.of());

    assertThat(s.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(s.outputs()).containsEntry("exit-code", "2").doesNotContainKey("run-id");
    assertThat(s.log()).contains("::error title=kindling validate failed (exit 2)::");
    assertThat(s.summary())
        .startsWith("### ❌ kindling validate")
        .contains("| exit code | 2 |")
        .contains("prod");
    assertThat(home.resolve("local/data-apps")).doesNotExist();
  }

  /** Secrets come in through the environment, as the action's docs say; they never come out. */
  @Test
  void aTargetWithASecretFromTheEnvironmentDeploysAndTheSecretStaysHidden() throws Exception {
    String token = "dapi-secret-" + Long.toHexString(System.nanoTime());
    try (DatabricksEmulator emulator =
        DatabricksEmulator.start(
            new EmulatorOptions(0, Files.createDirectories(work.resolve("emu")), token, null))) {
      Map<String, Object> target = new LinkedHashMap<>(emulator.target());
      target.put("auth", Map.of("method", "token", "token", "${env:DATABRICKS_TOKEN}"));
      Files.writeString(
          work.resolve("ci.yaml"), "targets:\n  dev: " + JSON.writeValueAsString(target) + "\n");

      Step s =
          step(
              inputs(
                  "app", Cli.REPO.resolve("examples/hello-python").toString(),
                  "target", "dev",
                  "config", "ci.yaml",
                  "params", "name=secret-test"),
              Map.of("DATABRICKS_TOKEN", token));

      assertThat(s.exit()).as(s.log()).isZero();
      assertThat(s.summary())
          .contains("| platform | `databricks` |")
          .contains("| run URL / logs | [" + emulator.baseUrl().toString().replaceAll("/$", ""))
          .contains("Hello, secret-test!");
      for (String text : List.of(s.log(), s.summary(), String.join("\n", s.outputs().values()))) {
        assertThat(text).doesNotContain(token);
      }
    }
  }

  @Test
  void deployOnlySkipsTheRun() throws Exception {
    Step s =
        step(
            inputs(
                "app",
                Cli.REPO.resolve("examples/hello-python").toString(),
                "target",
                "local",
                "run",
                "false"),
            Map.of());

    assertThat(s.exit()).as(s.log()).isZero();
    assertThat(s.outputs()).containsEntry("job-id", "hello-python").containsEntry("run-id", "");
    assertThat(s.summary()).contains("| files uploaded |").doesNotContain("| run |");
  }
}
