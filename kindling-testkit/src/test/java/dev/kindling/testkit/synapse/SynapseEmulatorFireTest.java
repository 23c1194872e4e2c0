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
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SynapseEmulator#fireTriggers} over raw HTTP: started triggers run their pipelines. */
class SynapseEmulatorFireTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String Q = "?api-version=2020-12-01";
  private static final String LIVY = "/livyApi/versions/2020-12-01/sparkPools/pool1/batches";

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

  private JsonNode send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer emulator-token");
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r =
        http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isLessThan(300);
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  /** A definition, a pipeline running it and a trigger on the pipeline (stopped). */
  private void schedule(String name, String recurrence) throws Exception {
    send(
        "PUT",
        "/sparkJobDefinitions/" + name + Q,
        "{\"properties\":{\"targetBigDataPool\":{\"referenceName\":\"pool1\",\"type\":"
            + "\"BigDataPoolReference\"},\"jobProperties\":{\"name\":\""
            + name
            + "\",\"file\":\"abfss://kindling@emulator.dfs.core.windows.net/missing.py\","
            + "\"args\":[\"config:x=1\"],\"driverMemory\":\"28g\",\"driverCores\":4,"
            + "\"executorMemory\":\"28g\",\"executorCores\":4,\"numExecutors\":2}}}");
    send(
        "PUT",
        "/pipelines/" + name + "_p" + Q,
        "{\"properties\":{\"activities\":[{\"name\":\"run\",\"type\":\"SparkJob\","
            + "\"dependsOn\":[],\"typeProperties\":{\"sparkJob\":{\"type\":"
            + "\"SparkJobDefinitionReference\",\"referenceName\":\""
            + name
            + "\"}}}]}}");
    send(
        "PUT",
        "/triggers/" + name + "_t" + Q,
        "{\"properties\":{\"type\":\"ScheduleTrigger\",\"pipelines\":[{\"pipelineReference\":"
            + "{\"type\":\"PipelineReference\",\"referenceName\":\""
            + name
            + "_p\"},\"parameters\":{}}],\"typeProperties\":{\"recurrence\":"
            + recurrence
            + "}}}");
  }

  @Test
  void startedTriggersSubmitTheirDefinitionsAsBatchesStoppedOnesNothing() throws Exception {
    schedule(
        "a",
        "{\"frequency\":\"Hour\",\"interval\":1,\"startTime\":\"2026-11-26T10:00:00Z\","
            + "\"timeZone\":\"UTC\"}");
    schedule(
        "b",
        "{\"frequency\":\"Day\",\"interval\":1,\"startTime\":\"2026-11-01T00:00:00\","
            + "\"timeZone\":\"Tokyo Standard Time\",\"schedule\":{\"hours\":[20],"
            + "\"minutes\":[30]}}");
    Instant from = Instant.parse("2026-11-26T10:30:00Z");
    Instant to = Instant.parse("2026-11-26T12:00:00Z");
    assertThat(emulator.fireTriggers(from, to)).isEmpty(); // created stopped

    send("POST", "/triggers/a_t/start" + Q, null);
    send("POST", "/triggers/b_t/start" + Q, null);
    List<Integer> fired = emulator.fireTriggers(from, to);

    // a at 11:00 and 12:00 UTC; b at 20:30 Tokyo = 11:30 UTC
    assertThat(emulator.triggerRuns())
        .extracting(r -> r.trigger() + "@" + r.at())
        .containsExactly(
            "a_t@2026-11-26T11:00:00Z", "b_t@2026-11-26T11:30:00Z", "a_t@2026-11-26T12:00:00Z");
    assertThat(fired).hasSize(3);
    for (int id : fired) {
      assertThat(emulator.batchReaches("pool1", id, "success", "dead").get(10, TimeUnit.SECONDS))
          .isEqualTo("dead"); // its main file does not exist
      JsonNode batch = send("GET", LIVY + "/" + id, null);
      String def = batch.path("artifactId").asText();
      assertThat(def).isIn("a", "b");
      assertThat(batch.path("name").asText()).isEqualTo(def);
      assertThat(batch.path("livyInfo").path("jobCreationRequest").path("args").toString())
          .isEqualTo("[\"config:x=1\"]");
      assertThat(batch.path("errorInfo").toString()).contains("SPARK_JOB_FILE_NOT_FOUND");
    }

    send("POST", "/triggers/a_t/stop" + Q, null);
    assertThat(emulator.fireTriggers(to, Instant.parse("2026-11-26T15:00:00Z"))).isEmpty();
  }
}
