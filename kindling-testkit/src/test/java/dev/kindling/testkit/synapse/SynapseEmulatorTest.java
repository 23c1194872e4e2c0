package dev.kindling.testkit.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Synapse emulator speaks the documented protocol (platform-apis.md §4, §7). */
class SynapseEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "emulator-token";
  private static final String LIVY = "/livyApi/versions/2019-11-01-preview/sparkPools/pool1";

  @TempDir Path data;
  private SynapseEmulator emulator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    emulator = SynapseEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private HttpResponse<String> send(String method, String path, String body, boolean auth)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (auth) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body, true);
  }

  private static String definition(String file) {
    return "{\"properties\":{\"targetBigDataPool\":{\"referenceName\":\"pool1\",\"type\":"
        + "\"BigDataPoolReference\"},\"jobProperties\":{\"name\":\"j\",\"file\":\""
        + file
        + "\",\"args\":[],\"driverMemory\":\"28g\",\"driverCores\":4,\"executorMemory\":\"28g\","
        + "\"executorCores\":4,\"numExecutors\":2}}}";
  }

  private String script(String name, String code) throws Exception {
    Path f = emulator.storage().filesystem(SynapseEmulator.FILESYSTEM).resolve(name);
    Files.writeString(f, code);
    return "abfss://"
        + SynapseEmulator.FILESYSTEM
        + "@"
        + SynapseEmulator.STORAGE_HOST
        + "/"
        + name;
  }

  @Test
  void theArtifactsApiNeedsTheTokenAndTheApiVersion() throws Exception {
    assertThat(send("GET", "/sparkJobDefinitions?api-version=2020-12-01", null, false).statusCode())
        .isEqualTo(401);
    HttpResponse<String> noVersion = send("GET", "/sparkJobDefinitions", null);
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noVersion.body()).path("error").path("code").asText())
        .isEqualTo("MissingApiVersionParameter");
  }

  @Test
  void aDefinitionPutIsALongRunningOperationAndMissingRequiredFieldsAreNamed() throws Exception {
    emulator.operationPolls(2);
    HttpResponse<String> put =
        send("PUT", "/sparkJobDefinitions/j?api-version=2020-12-01", definition("abfss://x"));
    assertThat(put.statusCode()).isEqualTo(202);
    String location = put.headers().firstValue("Location").orElseThrow();
    String op = URI.create(location).getRawPath() + "?" + URI.create(location).getRawQuery();
    assertThat(send("GET", op, null).statusCode()).isEqualTo(202);
    assertThat(send("GET", op, null).statusCode()).isEqualTo(202);
    HttpResponse<String> done = send("GET", op, null);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(done.body()).path("name").asText()).isEqualTo("j");

    HttpResponse<String> bad =
        send(
            "PUT",
            "/sparkJobDefinitions/k?api-version=2020-12-01",
            definition("abfss://x").replace("\"driverCores\":4,", ""));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("properties.jobProperties.driverCores is required");
  }

  @Test
  void aFreshDefinitionIsNotFoundDuringTheConfiguredWindow() throws Exception {
    emulator.notFoundAfterPut(Duration.ofHours(1));
    send("PUT", "/sparkJobDefinitions/j?api-version=2020-12-01", definition("abfss://x"));

    assertThat(send("GET", "/sparkJobDefinitions/j?api-version=2020-12-01", null).statusCode())
        .isEqualTo(404);
    assertThat(
            send("POST", "/sparkJobDefinitions/j/execute?api-version=2020-12-01", null)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void executeAnswers202WithTheBatchAndALocationThatCompletesWithTheJob() throws Exception {
    String file = script("ok.py", "print('from execute')\n");
    send("PUT", "/sparkJobDefinitions/j?api-version=2020-12-01", definition(file));

    HttpResponse<String> exec =
        send("POST", "/sparkJobDefinitions/j/execute?api-version=2020-12-01", null);

    assertThat(exec.statusCode()).isEqualTo(202);
    JsonNode batch = JSON.readTree(exec.body());
    assertThat(batch.path("id").isInt()).isTrue();
    assertThat(batch.path("result").asText()).isEqualTo("Uncertain");
    assertThat(exec.headers().firstValue("Location").orElseThrow())
        .contains("/operationResults/arcadiaSpark$$pool1$$batch$$" + batch.path("id").asInt());
    JsonNode end = awaitTerminal("pool1", batch.path("id").asInt());
    assertThat(end.path("state").asText()).isEqualTo("success");
    assertThat(end.path("result").asText()).isEqualTo("Succeeded");
  }

  @Test
  void batchesRunForRealWithOrderedLowerCaseStatesIdsPerPoolAndPagedLogs() throws Exception {
    emulator.addPool("pool2");
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      code.append("print('line ").append(i).append("')\n");
    }
    code.append("raise SystemExit(3)\n");
    String file = script("lines.py", code.toString());
    String options = "{\"name\":\"b\",\"file\":\"" + file + "\"}";

    JsonNode first = JSON.readTree(send("POST", LIVY + "/batches", options).body());
    JsonNode other =
        JSON.readTree(
            send("POST", "/livyApi/versions/2020-12-01/sparkPools/pool2/batches", options).body());

    assertThat(first.path("id").asInt()).isZero();
    assertThat(other.path("id").asInt()).isZero(); // ids are per pool
    assertThat(first.path("state").asText()).isIn("not_started", "starting", "running");
    JsonNode end = awaitTerminal("pool1", 0);
    assertThat(end.path("state").asText()).isEqualTo("dead");
    assertThat(end.path("result").asText()).isEqualTo("Failed");
    assertThat(end.path("errorInfo").get(0).path("message").asText()).contains("exit code 3");
    assertThat(end.path("schedulerInfo").path("currentState").asText()).isEqualTo("Ended");

    JsonNode tail = JSON.readTree(send("GET", LIVY + "/batches/0/log", null).body());
    int total = tail.path("total").asInt();
    assertThat(total).isGreaterThan(250);
    assertThat(tail.path("from").asInt()).isEqualTo(total - 100); // no from: the last 100 lines
    assertThat(tail.path("log").size()).isEqualTo(100);
    JsonNode page = JSON.readTree(send("GET", LIVY + "/batches/0/log?from=1&size=2", null).body());
    assertThat(page.path("log").toString()).contains("line 0").contains("line 1");
    assertThat(page.path("total").asInt()).isEqualTo(total);
  }

  @Test
  void deleteKillsARunningBatch() throws Exception {
    String file = script("hang.py", "import time\nprint('up', flush=True)\ntime.sleep(600)\n");
    int id =
        JSON.readTree(
                send("POST", LIVY + "/batches", "{\"name\":\"h\",\"file\":\"" + file + "\"}")
                    .body())
            .path("id")
            .asInt();
    assertThat(emulator.batchReaches("pool1", id, "running").get(60, TimeUnit.SECONDS))
        .isEqualTo("running");

    assertThat(send("DELETE", LIVY + "/batches/" + id, null).statusCode()).isEqualTo(200);

    JsonNode end = JSON.readTree(send("GET", LIVY + "/batches/" + id, null).body());
    assertThat(end.path("state").asText()).isEqualTo("killed");
    assertThat(end.path("result").asText()).isEqualTo("Cancelled");
    assertThat(end.path("schedulerInfo").has("cancellationRequestedAt")).isTrue();
  }

  @Test
  void livyRejectsBadBodiesUnknownPoolsVersionsAndBatches() throws Exception {
    HttpResponse<String> noFile = send("POST", LIVY + "/batches", "{\"name\":\"x\"}");
    assertThat(noFile.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noFile.body()).path("msg").asText()).contains("file is required");
    assertThat(
            send(
                    "POST",
                    LIVY + "/batches",
                    "{\"name\":\"x\",\"file\":\"f\",\"numExecutors\":\"2\"}")
                .body())
        .contains("numExecutors must be a positive int32");
    assertThat(
            send("GET", "/livyApi/versions/2019-11-01-preview/sparkPools/nope/batches/0", null)
                .statusCode())
        .isEqualTo(404);
    assertThat(
            send("GET", "/livyApi/versions/2018-01-01/sparkPools/pool1/batches/0", null)
                .statusCode())
        .isEqualTo(404);
    HttpResponse<String> missing = send("GET", LIVY + "/batches/2147483647", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("Session '2147483647' not found.");
  }

  private JsonNode awaitTerminal(String pool, int id) throws Exception {
    emulator.batchReaches(pool, id, "success", "dead", "killed", "error").get(60, TimeUnit.SECONDS);
    return JSON.readTree(send("GET", LIVY.replace("pool1", pool) + "/batches/" + id, null).body());
  }
}
