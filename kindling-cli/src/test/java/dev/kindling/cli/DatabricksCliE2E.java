package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the packaged CLI jar against a Databricks target on the emulator, end to end: the emulated
 * run executes the real shim and app with python3.
 */
class DatabricksCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;
  @TempDir Path data;
  private DatabricksEmulator emulator;
  private Cli cli;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
    Map<String, Object> targets = new LinkedHashMap<>();
    targets.put("dbx", emulator.target());
    targets.put("dbx-dbfs", emulator.target(DatabricksEmulator.DBFS_ARTIFACTS));
    new YAMLMapper().writeValue(work.resolve("kindling.yaml").toFile(), Map.of("targets", targets));
    cli = new Cli(home, work);
  }

  @AfterEach
  void tearDown() {
    emulator.close();
  }

  private static String hello() {
    return Cli.REPO.resolve("examples/hello-python").toString();
  }

  @Test
  void deployRunWaitSucceedsParametersShowInLogsAndARedeployKeepsOneJob() throws Exception {
    Cli.Result r =
        cli.run(
            "deploy", hello(), "-t", "dbx", "--run", "--wait", "--param", "name=e2e", "-o", "json");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err()).as("no stack traces from the SDK").doesNotContain("\tat ");
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("platform").asText()).isEqualTo("databricks");
    String jobId = json.get("job_id").asText();
    assertThat(Long.parseLong(jobId)).isGreaterThan(1L << 32);
    assertThat(json.get("deployment_path").asText())
        .startsWith(DatabricksEmulator.VOLUME_ARTIFACTS + "/data-apps/hello-python/releases/");
    JsonNode run = json.get("run");
    assertThat(run.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("platform_state").asText()).isEqualTo("TERMINATED/SUCCESS");
    String runId = run.get("run_id").asText();
    assertThat(runId)
        .startsWith(
            emulator.run(Long.parseLong(runId.split(":")[0])).orElseThrow().get("run_id").asText()
                + ":");

    Cli.Result logs = cli.run("logs", runId, "-t", "dbx");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out())
        .contains("Hello, e2e!")
        .contains("'name': 'e2e'")
        .contains("46 primes below 200");

    Cli.Result again = cli.run("deploy", hello(), "-t", "dbx", "-o", "json");
    assertThat(again.exit()).as(again.all()).isZero();
    JsonNode second = JSON.readTree(again.out());
    assertThat(second.get("job_id").asText()).isEqualTo(jobId);
    assertThat(second.get("files_uploaded").asInt()).isZero();

    Cli.Result jobs = cli.run("jobs", "-t", "dbx", "-o", "json");
    assertThat(jobs.exit()).as(jobs.all()).isZero();
    JsonNode list = JSON.readTree(jobs.out()).get("jobs");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("job_id").asText()).isEqualTo(jobId);
    assertThat(list.get(0).get("name").asText()).isEqualTo("hello-python");
    assertThat(emulator.jobs()).hasSize(1);
  }

  @Test
  void aRunOnDbfsCanBeCancelledFromAnotherProcess() throws Exception {
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
            "dbx-dbfs",
            "--run",
            "--wait",
            "--param",
            "sleep_seconds=600");
    String id = runId.get(2, TimeUnit.MINUTES);
    waitForState(id, "RUNNING");

    Cli.Result cancel = cli.run("cancel", id, "-t", "dbx-dbfs", "-o", "json");

    assertThat(cancel.exit()).as(cancel.all()).isZero();
    assertThat(JSON.readTree(cancel.out()).get("cancelled").asBoolean()).isTrue();
    Cli.Result waited = waiting.await();
    assertThat(waited.exit()).as(waited.all()).isEqualTo(3);
    Cli.Result status = cli.run("status", id, "-t", "dbx-dbfs", "-o", "json");
    assertThat(JSON.readTree(status.out()).get("state").asText()).isEqualTo("CANCELLED");
    Cli.Result again = cli.run("cancel", id, "-t", "dbx-dbfs", "-o", "json");
    assertThat(JSON.readTree(again.out()).get("cancelled").asBoolean()).isFalse();
  }

  private void waitForState(String runId, String state) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      Cli.Result s = cli.run("status", runId, "-t", "dbx-dbfs", "-o", "json");
      if (s.exit() == 0 && JSON.readTree(s.out()).get("state").asText().equals(state)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + runId + " never reached " + state);
  }

  @Test
  void aTargetWithBothClusterKindsFailsValidationBeforeAnyRequest() throws Exception {
    Map<String, Object> bad = new LinkedHashMap<>(emulator.target());
    bad.put(
        "new_cluster",
        Map.of(
            "spark_version",
            "15.4.x-scala2.12",
            "node_type_id",
            "Standard_DS3_v2",
            "num_workers",
            1));
    new YAMLMapper()
        .writeValue(work.resolve("kindling.yaml").toFile(), Map.of("targets", Map.of("bad", bad)));

    Cli.Result r = cli.run("deploy", hello(), "-t", "bad");

    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("exactly one of `cluster_id` and `new_cluster`");
    assertThat(emulator.journal().isEmpty()).isTrue();
  }

  @Test
  void theEmulatorCommandServesADatabricksTarget() throws Exception {
    List<String> lines = new ArrayList<>();
    CompletableFuture<String> host = new CompletableFuture<>();
    Cli.Running running =
        cli.start(
            line -> {
              lines.add(line);
              String t = line.trim();
              if (t.startsWith("host:")) {
                host.complete(t.substring("host:".length()).trim().replace("\"", ""));
              }
            },
            "emulator",
            "databricks",
            "--port",
            "0",
            "--data",
            work.resolve("emulator-data").toString(),
            "--token",
            "e2e-token");
    try {
      String base = host.get(1, TimeUnit.MINUTES);
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/api/2.2/jobs/list"))
                      .header("Authorization", "Bearer e2e-token")
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"has_more\":false");
      assertThat(String.join("\n", lines)).contains("platform: databricks");
      assertThat(Files.isDirectory(work.resolve("emulator-data/volumes"))).isTrue();
    } finally {
      running.process.destroy();
      running.process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
