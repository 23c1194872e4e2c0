package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the packaged CLI jar against the local platform, end to end, as a user would. */
class LocalCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;
  private Cli cli;

  @BeforeEach
  void setUp() {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    cli = new Cli(home, work);
  }

  private static String hello() {
    return Cli.REPO.resolve("examples/hello-python").toString();
  }

  @Test
  void deployRunWaitSucceedsAndTheOutputIsInTheLogs() throws Exception {
    Cli.Result r =
        cli.run(
            "deploy",
            hello(),
            "-t",
            "local",
            "--run",
            "--wait",
            "--param",
            "name=e2e",
            "-o",
            "json");

    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.fieldNames())
        .toIterable()
        .contains(
            "job_id",
            "deployment_path",
            "release",
            "platform",
            "files_total",
            "files_uploaded",
            "bytes_uploaded",
            "run");
    assertThat(json.get("platform").asText()).isEqualTo("local");
    assertThat(json.get("job_id").asText()).isEqualTo("hello-python");
    assertThat(json.get("files_total").asInt()).isEqualTo(5); // app.yaml, app.py, 2 helpers, shim
    JsonNode run = json.get("run");
    assertThat(run.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.fieldNames())
        .toIterable()
        .contains("run_id", "job_id", "state", "platform_state", "start_time", "end_time", "error");

    Cli.Result logs = cli.run("logs", run.get("run_id").asText(), "-t", "local");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out()).contains("Hello, e2e!").contains("46 primes below 200");
  }

  @Test
  void anUnchangedRedeployUploadsNothing() throws Exception {
    Cli.Result first = cli.run("deploy", hello(), "-t", "local", "-o", "json");
    Cli.Result second = cli.run("deploy", hello(), "-t", "local", "-o", "json");

    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(second.exit()).as(second.all()).isZero();
    assertThat(JSON.readTree(first.out()).get("files_uploaded").asInt()).isEqualTo(5);
    JsonNode again = JSON.readTree(second.out());
    assertThat(again.get("files_uploaded").asInt()).isZero();
    assertThat(again.get("bytes_uploaded").asLong()).isZero();
    assertThat(again.get("release").asText())
        .isEqualTo(JSON.readTree(first.out()).get("release").asText());
  }

  @Test
  void aFailingAppExitsOneWithItsTraceback() throws Exception {
    Path app = Files.createDirectories(work.resolve("broken"));
    Files.writeString(app.resolve("app.yaml"), "name: broken\n");
    Files.writeString(
        app.resolve("app.py"),
        "def explode():\n    raise ValueError('boom from the app')\n\nexplode()\n");

    Cli.Result r = cli.run("deploy", app.toString(), "-t", "local", "--run", "--wait");

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.err())
        .contains("Traceback")
        .contains("ValueError: boom from the app")
        .contains("in explode");
    assertThat(r.out()).contains("FAILED");
  }

  @Test
  void resultShowsTheValueAndRunsPagesTheHistory() throws Exception {
    Path app = Files.createDirectories(work.resolve("valued"));
    Files.writeString(app.resolve("app.yaml"), "name: valued\n");
    Files.writeString(
        app.resolve("app.py"),
        "import kindling\nprint('counting rows')\nkindling.set_result({'rows': 42})\n");
    Cli.Result first =
        cli.run("deploy", app.toString(), "-t", "local", "--run", "--wait", "-o", "json");
    Cli.Result second = cli.run("run", "valued", "-t", "local", "--wait", "-o", "json");
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(second.exit()).as(second.all()).isZero();
    String older = JSON.readTree(first.out()).get("run").get("run_id").asText();
    String newer = JSON.readTree(second.out()).get("run_id").asText();

    Cli.Result result = cli.run("result", newer, "-t", "local", "-o", "json");
    assertThat(result.exit()).as(result.all()).isZero();
    JsonNode r = JSON.readTree(result.out());
    assertThat(r.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(r.get("exit_code").asInt()).isZero();
    assertThat(r.get("value").get("rows").asInt()).isEqualTo(42);
    assertThat(r.get("output_tail").toString()).contains("counting rows");
    Cli.Result text = cli.run("result", newer, "-t", "local");
    assertThat(text.out()).contains("SUCCEEDED (exit code 0)").contains("value:   {\"rows\":42}");

    Cli.Result page1 =
        cli.run("runs", "-t", "local", "--job", "valued", "--limit", "1", "-o", "json");
    assertThat(page1.exit()).as(page1.all()).isZero();
    JsonNode p1 = JSON.readTree(page1.out());
    assertThat(p1.get("runs")).hasSize(1);
    assertThat(p1.get("runs").get(0).get("run_id").asText()).isEqualTo(newer);
    assertThat(p1.get("runs").get(0).get("bytes_deployed").asLong()).isPositive();
    assertThat(p1.get("runs").get(0).get("attempts").asInt()).isEqualTo(1);
    String token = p1.get("next_page_token").asText();
    Cli.Result page2 =
        cli.run(
            "runs",
            "-t",
            "local",
            "--job",
            "valued",
            "--limit",
            "1",
            "--page-token",
            token,
            "-o",
            "json");
    JsonNode p2 = JSON.readTree(page2.out());
    assertThat(p2.get("runs").get(0).get("run_id").asText()).isEqualTo(older);
    assertThat(p2.get("next_page_token").isNull()).isTrue();
    Cli.Result table = cli.run("runs", "-t", "local", "--job", "valued");
    assertThat(table.out()).contains("STATE").contains("ATTEMPTS").contains(newer).contains(older);

    Cli.Result badLimit = cli.run("runs", "-t", "local", "--job", "valued", "--limit", "0");
    assertThat(badLimit.exit()).isEqualTo(2);
    assertThat(badLimit.err()).contains("limit").contains("1 to 100");
  }

  @Test
  void resultOfAFailedRunExitsOneWithTheTraceback() throws Exception {
    Path app = Files.createDirectories(work.resolve("failing"));
    Files.writeString(app.resolve("app.yaml"), "name: failing\n");
    Files.writeString(
        app.resolve("app.py"), "def explode():\n    raise ValueError('no rows')\n\nexplode()\n");
    Cli.Result run =
        cli.run("deploy", app.toString(), "-t", "local", "--run", "--wait", "-o", "json");
    String runId = JSON.readTree(run.out()).get("run").get("run_id").asText();

    Cli.Result result = cli.run("result", runId, "-t", "local");

    assertThat(result.exit()).as(result.all()).isEqualTo(1);
    assertThat(result.out())
        .contains("FAILED (exit code 1)")
        .contains("error:   ValueError: no rows")
        .contains("---- traceback ----")
        .contains("in explode");
  }

  @Test
  void cancellingALongRunExitsThreeAndKillsTheProcess() throws Exception {
    CompletableFuture<String> runId = new CompletableFuture<>();
    Cli.Running waiting =
        cli.start(
            line -> {
              if (line.startsWith("started run ")) {
                runId.complete(line.substring("started run ".length()).trim());
              }
            },
            "deploy",
            hello(),
            "-t",
            "local",
            "--run",
            "--wait",
            "--param",
            "sleep_seconds=600");
    String id = runId.get(2, TimeUnit.MINUTES);
    JsonNode runJson =
        JSON.readTree(home.resolve("local/runs").resolve(id).resolve("run.json").toFile());
    long pid = runJson.get("pid").asLong();
    assertThat(ProcessHandle.of(pid)).isPresent();

    Cli.Result cancel = cli.run("cancel", id, "-t", "local", "-o", "json");

    assertThat(cancel.exit()).as(cancel.all()).isZero();
    assertThat(JSON.readTree(cancel.out()).get("cancelled").asBoolean()).isTrue();
    Cli.Result waited = waiting.await();
    assertThat(waited.exit()).as(waited.all()).isEqualTo(3);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isIn(java.util.Optional.empty(), java.util.Optional.of(false));
    Cli.Result status = cli.run("status", id, "-t", "local", "-o", "json");
    assertThat(JSON.readTree(status.out()).get("state").asText()).isEqualTo("CANCELLED");
    Cli.Result again = cli.run("cancel", id, "-t", "local", "-o", "json");
    assertThat(JSON.readTree(again.out()).get("cancelled").asBoolean()).isFalse();
  }

  @Test
  void aBadConfigExitsTwoNamingTheKeyAndTouchesNothing() throws Exception {
    Files.writeString(
        work.resolve("kindling.yaml"),
        "targets:\n  mine:\n    platform: local\n    pythn: python3\n    executor_memory: 28gb\n");

    Cli.Result r = cli.run("deploy", hello(), "-t", "mine");

    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("pythn").contains("python");
    assertThat(home.resolve("local")).doesNotExist();
  }

  @Test
  void aPySparkAppWithoutPySparkFailsSayingHowToInstallIt() throws Exception {
    Process probe = new ProcessBuilder("python3", "-c", "import pyspark").start();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        probe.waitFor() != 0, "pyspark is installed here; this test is about machines without it");

    Cli.Result r =
        cli.run(
            "deploy",
            Cli.REPO.resolve("examples/pyspark-wordcount").toString(),
            "-t",
            "local",
            "--run",
            "--wait");

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.err()).contains("No module named 'pyspark'").contains("pip install pyspark");
  }

  @Test
  void versionAndHelpWork() throws Exception {
    Cli.Result v = cli.run("--version");
    assertThat(v.exit()).isZero();
    assertThat(v.out()).startsWith("kindling ");
    Cli.Result usage = cli.run("deploy");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("APP");
  }
}
