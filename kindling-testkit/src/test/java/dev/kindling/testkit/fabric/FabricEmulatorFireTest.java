package dev.kindling.testkit.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.emulator.EmulatorOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FabricEmulator#fireSchedules} over raw HTTP: what fires, and as what. */
class FabricEmulatorFireTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType TYPE = MediaType.get("application/json");

  @TempDir Path data;
  FabricEmulator emulator;
  final OkHttpClient http = new OkHttpClient();

  @BeforeEach
  void start() {
    emulator = FabricEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private String ws() {
    return emulator.baseUrl() + "/v1/workspaces/" + emulator.workspaceId();
  }

  private JsonNode call(String method, String url, String body, int expect) throws Exception {
    Request.Builder b =
        new Request.Builder().url(url).header("Authorization", "Bearer " + emulator.apiToken());
    b.method(method, body == null ? null : RequestBody.create(body, TYPE));
    try (Response r = http.newCall(b.build()).execute()) {
      String text = r.body().string();
      assertThat(r.code()).as(text).isEqualTo(expect);
      return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
    }
  }

  /** An item whose definition names a lakehouse that does not exist: its runs fail at once. */
  private String item(String name) throws Exception {
    String v1 =
        "{\"executableFile\":\"abfss://x@onelake.dfs.fabric.microsoft.com/main.py\","
            + "\"defaultLakehouseArtifactId\":\"00000000-0000-0000-0000-00000000dead\"}";
    String definition =
        "{\"parts\":[{\"path\":\"SparkJobDefinitionV1.json\",\"payload\":\""
            + Base64.getEncoder().encodeToString(v1.getBytes(StandardCharsets.UTF_8))
            + "\",\"payloadType\":\"InlineBase64\"}]}";
    return call(
            "POST",
            ws() + "/sparkJobDefinitions",
            "{\"displayName\":\"" + name + "\",\"definition\":" + definition + "}",
            201)
        .path("id")
        .asText();
  }

  private String schedule(String itemId, boolean enabled, String configuration) throws Exception {
    return call(
            "POST",
            ws() + "/items/" + itemId + "/jobs/sparkjob/schedules",
            "{\"enabled\":" + enabled + ",\"configuration\":" + configuration + "}",
            201)
        .path("id")
        .asText();
  }

  private static String cron(int minutes) {
    return "{\"type\":\"Cron\",\"interval\":"
        + minutes
        + ",\"startDateTime\":\"2026-11-26T10:00:00Z\",\"endDateTime\":\"2026-11-27T10:00:00Z\","
        + "\"localTimeZoneId\":\"UTC\"}";
  }

  @Test
  void enabledSchedulesStartScheduledInstancesOfTheCurrentDefinition() throws Exception {
    String a = item("a");
    String b = item("b");
    String hourly = schedule(a, true, cron(60));
    schedule(a, false, cron(10)); // paused: fires nothing
    String half = schedule(b, true, cron(90));

    List<String> fired =
        emulator.fireSchedules(
            Instant.parse("2026-11-26T10:30:00Z"), Instant.parse("2026-11-26T12:30:00Z"));

    // in firing order across items: a 11:00, b 11:30, a 12:00
    assertThat(emulator.firings())
        .extracting(f -> f.scheduleId() + "@" + f.at())
        .containsExactly(
            hourly + "@2026-11-26T11:00:00Z",
            half + "@2026-11-26T11:30:00Z",
            hourly + "@2026-11-26T12:00:00Z");
    assertThat(emulator.firings())
        .extracting(FabricEmulator.Firing::instanceId)
        .containsExactlyElementsOf(fired);
    for (String id : fired) {
      assertThat(emulator.instanceEnds(id).get(10, TimeUnit.SECONDS)).isEqualTo("Failed");
    }
    JsonNode instances = call("GET", ws() + "/items/" + a + "/jobs/instances", null, 200);
    assertThat(instances.path("value")).hasSize(2);
    for (JsonNode i : instances.path("value")) {
      assertThat(i.path("invokeType").asText()).isEqualTo("Scheduled");
      // the definition's lakehouse: the instance ran the stored definition
      assertThat(i.path("failureReason").path("message").asText())
          .contains("00000000-0000-0000-0000-00000000dead");
    }
    assertThat(emulator.specViolations()).isEmpty();
  }

  @Test
  void deletedSchedulesAndItemsFireNothing() throws Exception {
    String a = item("a");
    String s = schedule(a, true, cron(60));
    call("DELETE", ws() + "/items/" + a + "/jobs/sparkjob/schedules/" + s, null, 200);
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-28T00:00:00Z")))
        .isEmpty();
    String b = item("b");
    schedule(b, true, cron(60));
    call("DELETE", ws() + "/sparkJobDefinitions/" + b, null, 200);
    assertThat(
            emulator.fireSchedules(
                Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-28T00:00:00Z")))
        .isEmpty();
    assertThat(emulator.firings()).isEmpty();
  }
}
