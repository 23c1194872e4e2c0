package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the packaged CLI jar against a Synapse target served by {@link SynapseEmulator} in this
 * JVM: the app is uploaded over the DFS protocol, deployed as a Spark job definition, run as a Livy
 * batch that executes the bootstrap shim for real, and its logs come back through {@code /log} and
 * {@code result.json}.
 */
class SynapseCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path home;
  @TempDir Path work;
  @TempDir Path data;
  private SynapseEmulator emulator;
  private Cli cli;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    emulator =
        SynapseEmulator.start(EmulatorOptions.in(data)).notFoundAfterPut(Duration.ofSeconds(1));
    Files.writeString(
        work.resolve("kindling.yaml"),
        YAML.writeValueAsString(Map.of("targets", Map.of("syn", emulator.target()))));
    cli = new Cli(home, work);
  }

  @AfterEach
  void tearDown() {
    emulator.close();
  }

  @Test
  void deployRunWaitSucceedsWithTheParametersInTheLogs() throws Exception {
    String hello = Cli.REPO.resolve("examples/hello-python").toString();

    Cli.Result r =
        cli.run(
            "deploy",
            hello,
            "-t",
            "syn",
            "--run",
            "--wait",
            "--param",
            "name=synapse-e2e",
            "-o",
            "json");

    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("platform").asText()).isEqualTo("synapse");
    assertThat(json.get("job_id").asText()).isEqualTo("hello-python");
    assertThat(json.get("files_uploaded").asInt()).isEqualTo(5);
    assertThat(json.get("deployment_path").asText())
        .startsWith(emulator.artifactsPath() + "/data-apps/hello-python/releases/");
    JsonNode run = json.get("run");
    assertThat(run.get("state").asText()).as(r.all()).isEqualTo("SUCCEEDED");
    String runId = run.get("run_id").asText();
    assertThat(runId).startsWith(SynapseEmulator.DEFAULT_POOL + ":");

    Cli.Result logs = cli.run("logs", runId, "-t", "syn");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out())
        .contains("Hello, synapse-e2e!")
        .contains("'name': 'synapse-e2e'")
        .contains("46 primes below 200")
        .contains("result.json")
        .contains("\"SUCCEEDED\"");

    Cli.Result status = cli.run("status", runId, "-t", "syn", "-o", "json");
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(JSON.readTree(status.out()).get("state").asText()).isEqualTo("SUCCEEDED");

    // what went over the wire: an SJD PUT, one Livy batch, and never the token in a definition
    assertThat(emulator.journal().requests("PUT", "/sparkJobDefinitions/hello-python")).hasSize(1);
    assertThat(
            emulator
                .journal()
                .requests("POST", "/livyApi/versions/[^/]+/sparkPools/pool1/batches/?"))
        .hasSize(1);
    assertThat(emulator.journal().toString()).doesNotContain("emulator-token");
  }

  @Test
  void aFailingAppEndsFailedWithItsTracebackInTheLogs() throws Exception {
    Path app = Files.createDirectories(work.resolve("broken"));
    Files.writeString(app.resolve("app.yaml"), "name: broken\n");
    Files.writeString(
        app.resolve("app.py"),
        "def explode():\n    raise ValueError('boom from synapse')\n\nexplode()\n");

    Cli.Result r = cli.run("deploy", app.toString(), "-t", "syn", "--run", "--wait", "-o", "json");

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    JsonNode run = JSON.readTree(r.out()).get("run");
    assertThat(run.get("state").asText()).isEqualTo("FAILED");
    assertThat(run.get("error").asText()).contains("ValueError: boom from synapse");

    Cli.Result logs = cli.run("logs", run.get("run_id").asText(), "-t", "syn");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out())
        .contains("Traceback")
        .contains("in explode")
        .contains("ValueError: boom from synapse");
  }

  @Test
  void kindlingEmulatorSynapseServesATargetTheCliCanDeployTo() throws Exception {
    Path emulatorData = Files.createDirectories(data.resolve("cli-emulator"));
    StringBuilder printed = new StringBuilder();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Cli.Running server =
        cli.start(
            line -> {
              synchronized (printed) {
                printed.append(line).append('\n');
              }
              // the auth block (its token last) follows artifacts_path: wait for all of it
              if (line.trim().startsWith("token:")) {
                ready.complete(null);
              }
            },
            "emulator",
            "synapse",
            "--port",
            "0",
            "--data",
            emulatorData.toString());
    try {
      ready.get(2, TimeUnit.MINUTES);
      String yaml;
      synchronized (printed) {
        yaml = printed.toString();
      }
      Path dir = Files.createDirectories(work.resolve("from-emulator-command"));
      Files.writeString(dir.resolve("kindling.yaml"), yaml.substring(yaml.indexOf("targets:")));
      Cli fromThere = new Cli(home, dir);

      Cli.Result r =
          fromThere.run(
              "deploy",
              Cli.REPO.resolve("examples/hello-python").toString(),
              "-t",
              "synapse-emulator",
              "--run",
              "--wait",
              "--param",
              "name=standalone");

      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("SUCCEEDED");
      assertThat(r.all()).contains("Hello, standalone!");
    } finally {
      server.process.destroy();
      server.process.onExit().get(1, TimeUnit.MINUTES);
    }
  }
}
