package dev.kindling.testkit.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Fabric emulator's protocol checks and shapes, over raw HTTP. */
class FabricEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType TYPE = MediaType.get("application/json");

  @TempDir Path data;
  FabricEmulator emulator;
  final OkHttpClient http = new OkHttpClient();

  @BeforeEach
  void start() {
    emulator = FabricEmulator.start(EmulatorOptions.in(data)).retryAfterSeconds(7).pageSize(1);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private String ws() {
    return emulator.baseUrl() + "/v1/workspaces/" + emulator.workspaceId();
  }

  private Response call(String method, String url, String body) throws Exception {
    Request.Builder b =
        new Request.Builder().url(url).header("Authorization", "Bearer " + emulator.apiToken());
    b.method(
        method,
        body == null
            ? (method.equals("POST") ? RequestBody.create(new byte[0]) : null)
            : RequestBody.create(body, TYPE));
    return http.newCall(b.build()).execute();
  }

  private static String definition(String v1) {
    return "{\"parts\":[{\"path\":\"SparkJobDefinitionV1.json\",\"payload\":\""
        + Base64.getEncoder().encodeToString(v1.getBytes(StandardCharsets.UTF_8))
        + "\",\"payloadType\":\"InlineBase64\"}]}";
  }

  private String create(String name) throws Exception {
    try (Response r =
        call(
            "POST",
            ws() + "/sparkJobDefinitions",
            "{\"displayName\":\""
                + name
                + "\",\"definition\":"
                + definition("{\"executableFile\":null,\"defaultLakehouseArtifactId\":\"\"}")
                + "}")) {
      assertThat(r.code()).isEqualTo(201);
      return JSON.readTree(r.body().string()).get("id").asText();
    }
  }

  @Test
  void requestsOutsideTheSpecAre400AndRecorded() throws Exception {
    try (Response r = call("POST", ws() + "/sparkJobDefinitions", "{\"description\":\"x\"}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.header("x-ms-public-api-error-code")).isEqualTo("InvalidRequest");
      assertThat(r.body().string()).contains("body.displayName is required");
    }
    String id = create("a");
    // the definition's field name inside executionData: a classic mix-up (pitfall 3)
    try (Response r =
        call(
            "POST",
            ws() + "/sparkJobDefinitions/" + id + "/jobs/sparkjob/instances",
            "{\"executionData\":{\"defaultLakehouseArtifactId\":\"x\"}}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("defaultLakehouseArtifactId is not a property");
    }
    try (Response r = call("GET", ws() + "/sparkJobDefinitions/not-a-guid", null)) {
      assertThat(r.code()).isEqualTo(400);
    }
    try (Response r = call("GET", ws() + "/sparkJobDefintions", null)) {
      assertThat(r.code()).isEqualTo(400);
    }
    assertThat(emulator.specViolations()).hasSize(4);
  }

  @Test
  void runIs202WithLocationAndRetryAfterAndTheLegacyFormWorks() throws Exception {
    String id = create("b");
    try (Response r =
        call(
            "POST",
            emulator.baseUrl()
                + "/v1/workspaces/"
                + emulator.workspaceId()
                + "/items/"
                + id
                + "/jobs/instances?jobType=SparkJob",
            null)) {
      assertThat(r.code()).isEqualTo(202);
      assertThat(r.body().string()).isEmpty();
      assertThat(r.header("Retry-After")).isEqualTo("7");
      String location = r.header("Location");
      assertThat(location).contains("/items/" + id + "/jobs/instances/");
      try (Response s = call("GET", location, null)) {
        JsonNode inst = JSON.readTree(s.body().string());
        // the definition has no executable: the run fails, with a failureReason
        assertThat(inst.get("status").asText()).isEqualTo("Failed");
        assertThat(inst.get("failureReason").get("errorCode").asText()).isNotEmpty();
        assertThat(inst.get("endTimeUtc").asText())
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}");
      }
      try (Response c = call("POST", location + "/cancel", null)) {
        assertThat(c.code()).isEqualTo(400);
        assertThat(c.header("x-ms-public-api-error-code")).isEqualTo("JobAlreadyCompleted");
      }
    }
    assertThat(emulator.specViolations()).isEmpty();
  }

  @Test
  void longRunningCreateAndContinuationTokens() throws Exception {
    create("c");
    emulator.longRunningOperations(true);
    String location;
    try (Response r = call("POST", ws() + "/sparkJobDefinitions", "{\"displayName\":\"d\"}")) {
      assertThat(r.code()).isEqualTo(202);
      location = r.header("Location");
      assertThat(r.header("x-ms-operation-id")).isNotBlank();
    }
    try (Response r = call("GET", location, null)) {
      assertThat(JSON.readTree(r.body().string()).get("status").asText()).isEqualTo("Running");
    }
    String result;
    try (Response r = call("GET", location, null)) {
      assertThat(JSON.readTree(r.body().string()).get("status").asText()).isEqualTo("Succeeded");
      result = r.header("Location");
      assertThat(result).endsWith("/result");
    }
    try (Response r = call("GET", result, null)) {
      assertThat(JSON.readTree(r.body().string()).get("displayName").asText()).isEqualTo("d");
    }
    JsonNode page1;
    try (Response r = call("GET", ws() + "/sparkJobDefinitions", null)) {
      page1 = JSON.readTree(r.body().string());
    }
    assertThat(page1.get("value")).hasSize(1);
    assertThat(page1.get("continuationUri").asText()).contains("continuationToken=");
    try (Response r = call("GET", page1.get("continuationUri").asText(), null)) {
      JsonNode page2 = JSON.readTree(r.body().string());
      assertThat(page2.get("value")).hasSize(1);
      assertThat(page2.has("continuationToken")).isFalse();
    }
    try (Response r = call("POST", ws() + "/sparkJobDefinitions", "{\"displayName\":\"D\"}")) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.header("x-ms-public-api-error-code")).isEqualTo("ItemDisplayNameAlreadyInUse");
    }
    assertThat(emulator.specViolations()).isEmpty();
  }

  @Test
  void tokensAreCheckedPerAudience() throws Exception {
    Request noAuth = new Request.Builder().url(ws() + "/sparkJobDefinitions").build();
    try (Response r = http.newCall(noAuth).execute()) {
      assertThat(r.code()).isEqualTo(401);
      JsonNode body = JSON.readTree(r.body().string());
      assertThat(body.get("errorCode").asText()).isNotEmpty();
      assertThat(body.has("requestId")).isTrue();
    }
    Request storage =
        new Request.Builder()
            .url(ws() + "/sparkJobDefinitions")
            .header("Authorization", "Bearer " + emulator.storageToken())
            .build();
    try (Response r = http.newCall(storage).execute()) {
      assertThat(r.code()).isEqualTo(401);
    }
    assertThat(emulator.target()).containsEntry("platform", "fabric").containsKey("auth");
  }

  @Test
  void anItemsInstanceListKeepsOnlyTheMostRecentCompletedOnes() throws Exception {
    emulator.completedInstancesListed(2);
    String id = create("history");
    java.util.List<String> started = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // no lakehouse: each instance fails at once
      try (Response r = call("POST", ws() + "/items/" + id + "/jobs/sparkjob/instances", null)) {
        assertThat(r.code()).isEqualTo(202);
        String location = r.header("Location");
        started.add(location.substring(location.lastIndexOf('/') + 1));
      }
    }
    java.util.List<String> listed = new java.util.ArrayList<>();
    String url = ws() + "/items/" + id + "/jobs/instances";
    while (url != null) {
      try (Response r = call("GET", url, null)) {
        JsonNode page = JSON.readTree(r.body().string());
        page.path("value").forEach(v -> listed.add(v.path("id").asText()));
        url =
            page.has("continuationToken")
                ? ws()
                    + "/items/"
                    + id
                    + "/jobs/instances?continuationToken="
                    + page.path("continuationToken").asText()
                : null;
      }
    }
    assertThat(listed).containsExactlyInAnyOrderElementsOf(started.subList(1, 3));
    try (Response r =
        call("GET", ws() + "/items/" + id + "/jobs/instances/" + started.get(0), null)) {
      assertThat(r.code()).isEqualTo(200); // still answered on its own
    }
  }
}
