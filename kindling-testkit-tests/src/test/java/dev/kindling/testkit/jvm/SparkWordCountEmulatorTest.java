package dev.kindling.testkit.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.deploy.RunHandle;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.Emulator;
import dev.kindling.testkit.junit.KindlingTarget;
import dev.kindling.testkit.junit.KindlingTargets;
import dev.kindling.testkit.junit.KindlingTest;
import dev.kindling.testkit.junit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java word count deployed to each emulator: a jar job with the main class, the app jar from
 * the release's blobs and the run parameters as {@code key=value} after the {@code config:} tokens;
 * then run, for real, on Spark in local mode by the emulator's driver.
 */
@KindlingTest
class SparkWordCountEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MAIN = "dev.kindling.examples.wordcount.WordCount";

  KindlingTargets targets;

  @ParameterizedTest
  @EnumSource(value = TestPlatform.class, names = "FAKE", mode = EnumSource.Mode.EXCLUDE)
  void deploysAJarJobWithTheMainClassAndRunsIt(TestPlatform platform, @TempDir Path out)
      throws Exception {
    KindlingTarget target = targets.get(platform);
    JobConfig config = JobConfig.builder().parameters(Map.of("output", "counts")).build();

    DeploymentResult deployed = target.deployer().deployAsJob(SparkWordCountLocalTest.APP, config);

    Emulator emulator = target.emulator().orElseThrow();
    String mainClass;
    String appJar;
    List<String> args = new ArrayList<>();
    switch (platform) {
      case DATABRICKS -> {
        JsonNode job = ((DatabricksEmulator) emulator).jobs().get(Long.parseLong(deployed.jobId()));
        JsonNode task = job.path("tasks").get(0);
        mainClass = task.path("spark_jar_task").path("main_class_name").asText();
        appJar = task.path("libraries").get(0).path("jar").asText();
        task.path("spark_jar_task").path("parameters").forEach(a -> args.add(a.asText()));
      }
      case FABRIC -> {
        Map<String, Object> t = emulator.target();
        JsonNode parts =
            call(
                    emulator,
                    "POST",
                    "/v1/workspaces/"
                        + t.get("workspace_id")
                        + "/sparkJobDefinitions/"
                        + deployed.jobId()
                        + "/getDefinition")
                .path("definition")
                .path("parts");
        JsonNode v1 = null;
        for (JsonNode p : parts) {
          if (p.path("path").asText().equals("SparkJobDefinitionV1.json")) {
            v1 =
                JSON.readTree(
                    new String(
                        Base64.getDecoder().decode(p.path("payload").asText()),
                        StandardCharsets.UTF_8));
          }
        }
        assertThat(v1).as("SparkJobDefinitionV1.json part").isNotNull();
        assertThat(v1.path("language").asText()).isEqualTo("Java");
        mainClass = v1.path("mainClass").asText();
        appJar = v1.path("executableFile").asText();
        args.addAll(List.of(v1.path("commandLineArguments").asText().split(" ")));
      }
      case SYNAPSE -> {
        JsonNode job =
            call(
                    emulator,
                    "GET",
                    "/sparkJobDefinitions/" + deployed.jobId() + "?api-version=2020-12-01")
                .path("properties")
                .path("jobProperties");
        mainClass = job.path("className").asText();
        appJar = job.path("file").asText();
        job.path("args").forEach(a -> args.add(a.asText()));
      }
      default -> throw new AssertionError(platform);
    }
    assertThat(mainClass).isEqualTo(MAIN);
    assertThat(appJar).contains("/data-apps/spark-wordcount-java/blobs/").endsWith(".jar");
    assertThat(args)
        .contains("config:app_name=spark-wordcount-java", "output=counts")
        .anyMatch(a -> a.startsWith("config:kindling.release="));

    // the emulator runs the jar on Spark in local mode (kindling.spark.classpath is set); the run
    // parameter reaches main(String[]) as output=PATH
    Path output = out.resolve("counts");
    RunHandle run = target.deployer().start(deployed.jobId(), Map.of("output", output.toString()));
    JobStatus status = run.await(Duration.ofMinutes(5));
    String logs = run.logs().output();
    assertThat(status.state()).as("%s\n%s", status, logs).isEqualTo(RunState.SUCCEEDED);
    assertThat(logs).contains("top 10 words:", "app\t5", "wrote 31 word counts to " + output);
    assertThat(output.resolve("_SUCCESS")).exists();
  }

  private static JsonNode call(Emulator emulator, String method, String path) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> auth = (Map<String, Object>) emulator.target().get("auth");
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(emulator.baseUrl().toString().replaceAll("/$", "") + path))
            .header("Authorization", "Bearer " + auth.get("token"))
            .header("Content-Type", "application/json");
    b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{}")) : b.GET();
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
