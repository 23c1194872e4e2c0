package dev.kindling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the packaged CLI jar against a {@link FabricEmulator} started in this JVM: the target in
 * {@code kindling.yaml} is the emulator's own {@code target()}, so the CLI speaks the Fabric REST
 * API and OneLake DFS over loopback, and the emulator runs the deployed shim for real.
 */
class FabricCliE2E {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  @TempDir Path work;
  @TempDir Path data;
  private FabricEmulator emulator;
  private Cli cli;

  @BeforeEach
  void setUp() throws Exception {
    assertThat(Cli.JAR).as("the CLI jar (run `./mvnw verify`)").exists();
    emulator = FabricEmulator.start(EmulatorOptions.in(data)).longRunningOperations(true);
    Files.writeString(work.resolve("kindling.yaml"), yaml(emulator.target()));
    cli = new Cli(home, work);
  }

  @AfterEach
  void tearDown() {
    try {
      assertThat(emulator.specViolations()).as("requests outside the Fabric spec").isEmpty();
    } finally {
      emulator.close();
    }
  }

  /** The target as YAML (flow style is YAML too). */
  private static String yaml(Map<String, Object> target) throws Exception {
    return "targets:\n  fabric-emu: " + JSON.writeValueAsString(target) + "\n";
  }

  @Test
  void deployRunWaitSucceedsWithParametersInTheLogs() throws Exception {
    String hello = Cli.REPO.resolve("examples/hello-python").toString();
    Cli.Result r =
        cli.run(
            "deploy",
            hello,
            "-t",
            "fabric-emu",
            "--run",
            "--wait",
            "--param",
            "name=fabric-e2e",
            "--param",
            "greeting=Hi",
            "-o",
            "json");

    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("platform").asText()).isEqualTo("fabric");
    assertThat(json.get("files_total").asInt()).isEqualTo(5);
    assertThat(json.get("deployment_path").asText())
        .startsWith("abfss://" + emulator.workspaceId() + "@onelake.dfs.fabric.microsoft.com/");
    JsonNode run = json.get("run");
    assertThat(run.get("state").asText()).as(r.all()).isEqualTo("SUCCEEDED");
    String runId = run.get("run_id").asText();
    assertThat(runId).startsWith("fabric:" + emulator.workspaceId() + ":");

    Cli.Result logs = cli.run("logs", runId, "-t", "fabric-emu");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out())
        .contains("Hi, fabric-e2e!")
        .contains("'name': 'fabric-e2e'")
        .contains("SUCCEEDED");

    Cli.Result status = cli.run("status", runId, "-t", "fabric-emu", "-o", "json");
    assertThat(JSON.readTree(status.out()).get("state").asText()).isEqualTo("SUCCEEDED");
    Cli.Result cancel = cli.run("cancel", runId, "-t", "fabric-emu", "-o", "json");
    assertThat(JSON.readTree(cancel.out()).get("cancelled").asBoolean()).isFalse();

    Cli.Result jobs = cli.run("jobs", "-t", "fabric-emu");
    assertThat(jobs.exit()).as(jobs.all()).isZero();
    assertThat(jobs.out()).contains("hello-python");

    // the run went through the documented endpoints, with the token never in the journal
    assertThat(
            emulator
                .journal()
                .requests("POST", ".*/sparkJobDefinitions/[^/]+/jobs/sparkjob/instances"))
        .hasSize(1);
    assertThat(emulator.journal().toString()).doesNotContain(emulator.apiToken());
    assertThat(r.all() + logs.all()).doesNotContain(emulator.apiToken());
  }

  @Test
  void resultAndRunsWorkAgainstTheEmulator() throws Exception {
    Path app = Files.createDirectories(work.resolve("valued"));
    Files.writeString(app.resolve("app.yaml"), "name: valued\n");
    Files.writeString(app.resolve("app.py"), "result = {'platform': 'fabric', 'rows': 7}\n");
    Cli.Result deployed =
        cli.run("deploy", app.toString(), "-t", "fabric-emu", "--run", "--wait", "-o", "json");
    assertThat(deployed.exit()).as(deployed.all()).isZero();
    JsonNode json = JSON.readTree(deployed.out());
    String runId = json.get("run").get("run_id").asText();

    Cli.Result result = cli.run("result", runId, "-t", "fabric-emu", "-o", "json");
    assertThat(result.exit()).as(result.all()).isZero();
    assertThat(JSON.readTree(result.out()).get("value").get("rows").asInt()).isEqualTo(7);

    Cli.Result runs =
        cli.run("runs", "-t", "fabric-emu", "--job", json.get("job_id").asText(), "-o", "json");
    assertThat(runs.exit()).as(runs.all()).isZero();
    JsonNode listed = JSON.readTree(runs.out()).get("runs");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("run_id").asText()).isEqualTo(runId);
    assertThat(listed.get(0).get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(listed.get(0).get("release").asText()).isEqualTo(json.get("release").asText());
  }

  @Test
  void anUnchangedRedeployUploadsNothingAndUpdatesTheSameItem() throws Exception {
    String hello = Cli.REPO.resolve("examples/hello-python").toString();
    Cli.Result first = cli.run("deploy", hello, "-t", "fabric-emu", "-o", "json");
    Cli.Result second = cli.run("deploy", hello, "-t", "fabric-emu", "-o", "json");

    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(second.exit()).as(second.all()).isZero();
    JsonNode again = JSON.readTree(second.out());
    assertThat(again.get("files_uploaded").asInt()).isZero();
    assertThat(again.get("job_id").asText())
        .isEqualTo(JSON.readTree(first.out()).get("job_id").asText());
    assertThat(emulator.journal().requests("POST", ".*/sparkJobDefinitions")).hasSize(1);
    assertThat(emulator.journal().requests("POST", ".*/updateDefinition")).hasSize(1);
  }
}
