package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kindling graph run|validate} end to end on the local platform. */
class GraphCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;
  private Cli cli;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    cli = new Cli(home, work);
    app("ok", "print('ok ran')\n");
    app("boom", "raise RuntimeError('boom')\n");
    app(
        "flaky",
        "import os, sys\n"
            + "marker = [a.split('=', 1)[1] for a in sys.argv if a.startswith('config:marker=')][0]\n"
            + "if not os.path.exists(marker):\n"
            + "    open(marker, 'w').close()\n"
            + "    raise RuntimeError('first attempt fails')\n"
            + "print('second attempt works')\n");
    Files.writeString(
        work.resolve("kindling.yaml"),
        """
        targets:
          dev:
            platform: local
          quick:
            platform: local
            retry: {max_attempts: 5, backoff: {initial: 100ms}}
        graphs:
          nightly:
            max_parallel: 2
            tasks:
              extract:
                app: apps/ok
              transform:
                app: apps/flaky
                depends_on: [extract]
                parameters: {marker: MARKER}
                retry: {max_attempts: 2, backoff: {initial: 100ms}}
              fail:
                app: apps/boom
                depends_on: [extract]
              load:
                app: apps/ok
                depends_on: [transform, fail]
              alert:
                app: apps/ok
                depends_on: [fail]
                run_if: AT_LEAST_ONE_FAILED
          cyclic:
            tasks:
              a: {app: apps/ok, depends_on: [b]}
              b: {app: apps/ok, depends_on: [a]}
              c: {app: apps/missing}
        """
            .replace("MARKER", work.resolve("marker").toString().replace("\\", "/")));
  }

  private void app(String name, String code) throws Exception {
    Path dir = Files.createDirectories(work.resolve("apps").resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
  }

  @Test
  void graphRunReportsEveryTaskAsJson() throws Exception {
    Cli.Result r = cli.run("graph", "run", "nightly", "-t", "dev", "-o", "json");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.RUN_FAILED);
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.path("graph").asText()).isEqualTo("nightly");
    assertThat(json.path("mode").asText()).isEqualTo("client_side");
    assertThat(json.path("state").asText()).isEqualTo("FAILED");
    Map<String, JsonNode> tasks = new HashMap<>();
    json.path("tasks").forEach(t -> tasks.put(t.path("task").asText(), t));
    assertThat(tasks.get("extract").path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(tasks.get("transform").path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(tasks.get("transform").path("attempts")).hasSize(2);
    assertThat(tasks.get("transform").path("attempts").get(0).path("state").asText())
        .isEqualTo("FAILED");
    assertThat(tasks.get("fail").path("state").asText()).isEqualTo("FAILED");
    assertThat(tasks.get("load").path("state").asText()).isEqualTo("SKIPPED");
    assertThat(tasks.get("load").path("upstream_failed").asBoolean()).isTrue();
    assertThat(tasks.get("alert").path("state").asText()).isEqualTo("SUCCEEDED");
  }

  @Test
  void graphRunInTextShowsTheTaskTable() throws Exception {
    Cli.Result r = cli.run("graph", "run", "nightly", "-t", "dev");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(r.out())
        .contains("started graph nightly (5 tasks, run by kindling)")
        .contains("graph nightly FAILED")
        .containsPattern("transform\\s+SUCCEEDED\\s+2")
        .containsPattern("load\\s+SKIPPED\\s+0\\s+upstream failed");
  }

  @Test
  void aBadGraphIsRejectedWithEveryProblemAndNothingRuns() throws Exception {
    Cli.Result r = cli.run("graph", "validate", "cyclic", "-t", "dev");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("cycle: a -> b -> a").contains("graphs.cyclic.tasks.c (");

    Cli.Result ok = cli.run("graph", "validate", "nightly", "-t", "dev");
    assertThat(ok.exit()).as(ok.all()).isZero();
    assertThat(ok.out())
        .contains("graph nightly is valid: extract -> transform -> fail -> load -> alert");
  }

  @Test
  void deployRunWaitRetriesAFailedRunWithMaxAttempts() throws Exception {
    Cli.Result r =
        cli.run(
            "deploy",
            work.resolve("apps/flaky").toString(),
            "-t",
            "quick",
            "--run",
            "--wait",
            "--max-attempts",
            "2",
            "--param",
            "marker=" + work.resolve("deploy-marker"),
            "-o",
            "json");

    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode run = JSON.readTree(r.out()).path("run");
    assertThat(run.path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.path("attempts")).hasSize(2);
    assertThat(run.path("attempts").get(1).asText()).isEqualTo(run.path("run_id").asText());
  }
}
