package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.core.time.Scheduler;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched statuses from the pool's Livy batches, against the emulator over HTTP. */
class SynapseBatchStatusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = "/livyApi/versions/[^/]+/sparkPools/pool1/batches/?";

  @TempDir Path data;
  @TempDir Path apps;
  private SynapseEmulator emulator;
  private final List<Kindling> opened = new ArrayList<>();

  @BeforeEach
  void start() {
    emulator = SynapseEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    opened.forEach(Kindling::close);
    emulator.close();
  }

  private SynapsePlatformService service(Scheduler scheduler) {
    SynapsePlatformService s =
        SynapseModule.create(
            SynapseSettings.from(SynapseEmulatorTargets.of(emulator.target())),
            new SynapsePlatformService.Options(Duration.ofMillis(100), Duration.ofSeconds(5)),
            scheduler,
            Clock.systemUTC());
    return s;
  }

  private void deploy(SynapsePlatformService service, String name, String code) throws IOException {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    Kindling k = Kindling.withPlatform(service, new SynapseJobRules());
    opened.add(k);
    k.deployer().deployAsJob(dir, JobConfig.fromMap(Map.of("job_name", name)));
  }

  private HttpResponse<String> livy(String method, String path, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
            .header("Authorization", "Bearer emulator-token")
            .header("Content-Type", "application/json");
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Removes the job's main file from storage: its batches then end dead at once, no driver. */
  private void removeMainFile(String job) throws Exception {
    JsonNode d =
        JSON.readTree(
            livy("GET", "/sparkJobDefinitions/" + job + "?api-version=2020-12-01", null).body());
    URI file = URI.create(d.path("properties").path("jobProperties").path("file").asText());
    Files.delete(emulator.storage().file(file.getUserInfo(), file.getPath().substring(1)));
  }

  private List<String> start(SynapsePlatformService service, String job, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(service.runSparkJob(job, Map.of()));
    }
    return ids;
  }

  private void awaitEnd(String runId) throws Exception {
    SynapseRunId id = SynapseRunId.parse(runId);
    emulator
        .batchReaches(id.pool(), id.batchId(), "success", "dead", "killed", "error")
        .get(60, TimeUnit.SECONDS);
  }

  private List<Journal.Entry> livyRequests() {
    return emulator.journal().entries(e -> e.path().startsWith("/livyApi/"));
  }

  @Test
  void thePoolsBatchesAnswerTheAskedRunsAsTheirGetDoesReadingOnlyTheirPages() throws Exception {
    SynapsePlatformService service = service(SystemScheduler.get());
    Path started = apps.resolve("started");
    deploy(
        service,
        "batch_a",
        "with open(r'"
            + started
            + "', 'a') as f:\n    f.write('x')\n"
            + "import time\ntime.sleep(600)\n");
    List<String> ofA = new ArrayList<>(start(service, "batch_a", 2)); // batches 0 and 1, running
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.isRegularFile(started) || Files.size(started) < 2) {
      assertThat(System.nanoTime() - deadline).as("the drivers did not start").isNegative();
      LockSupport.parkNanos(5_000_000);
    }
    service.cancelJob(ofA.get(1));
    // batch 2: another job's, submitted to Livy directly
    assertThat(
            livy(
                    "POST",
                    "/livyApi/versions/2019-11-01-preview/sparkPools/pool1/batches",
                    "{\"name\":\"other\",\"file\":\"abfss://x@y/none.py\","
                        + "\"tags\":{\"kindling_job\":\"other\",\"kindling_run_tag\":\"t\"}}")
                .statusCode())
        .isEqualTo(200);
    removeMainFile("batch_a");
    ofA.addAll(start(service, "batch_a", 28)); // batches 3 to 30, dead at once
    for (String r : ofA.subList(1, 30)) {
      awaitEnd(r);
    }
    String key = service.statusBatchKey(ofA.get(0)).orElseThrow();
    emulator.journal().clear();

    Set<String> asked = new LinkedHashSet<>(ofA);
    asked.add("pool1:2:20200101T000000Z-00000000:batch_a"); // batch 2 is not this run
    asked.add("pool2:5:20200101T000000Z-00000000:batch_a"); // another pool's
    asked.add("not-a-run-id");
    Map<String, JobStatus> statuses = service.getJobStatuses(key, asked);

    // positions 11..30 (the page ending at the newest asked batch), then 0..10
    assertThat(livyRequests())
        .extracting(Journal.Entry::query)
        .containsExactly("from=11&size=20&detailed=true", "from=0&size=11&detailed=true");
    assertThat(livyRequests()).allMatch(e -> e.method().equals("GET") && e.path().matches(LIST));
    assertThat(statuses.keySet()).containsExactlyInAnyOrderElementsOf(ofA);
    assertThat(statuses.get(ofA.get(0)).state()).isEqualTo(RunState.RUNNING);
    assertThat(statuses.get(ofA.get(1)).state()).isEqualTo(RunState.CANCELLED);
    assertThat(statuses.get(ofA.get(2)).state()).isEqualTo(RunState.FAILED);
    assertThat(statuses.get(ofA.get(2)).error().orElseThrow()).contains("does not exist");
    for (Map.Entry<String, JobStatus> e : statuses.entrySet()) {
      assertThat(e.getValue()).isEqualTo(service.getJobStatus(e.getKey()));
    }

    // the newest runs only: their one page
    emulator.journal().clear();
    assertThat(service.getJobStatuses(key, new LinkedHashSet<>(ofA.subList(25, 30)))).hasSize(5);
    assertThat(livyRequests())
        .extracting(Journal.Entry::query)
        .containsExactly("from=11&size=20&detailed=true");

    // a batch beyond the listing: the newest page is read instead, and it is not there
    emulator.journal().clear();
    Set<String> beyond = Set.of("pool1:500:20200101T000000Z-00000000:batch_a", ofA.get(29));
    assertThat(service.getJobStatuses(key, beyond)).containsOnlyKeys(ofA.get(29));
    assertThat(livyRequests())
        .extracting(Journal.Entry::query)
        .containsExactly("from=481&size=20&detailed=true", "from=11&size=20&detailed=true");
  }

  @Test
  void aThrottledListingRaisesThrottledAfterItsRetries() {
    ManualScheduler time = new ManualScheduler();
    SynapsePlatformService service = service(time);
    emulator.inject(
        Fault.on("GET", LIST)
            .status(429)
            .header("Retry-After", "30")
            .body("{\"message\":\"too many requests\"}")
            .always()
            .build());
    String runId = "pool1:3:20200101T000000Z-00000000:app";
    String key = service.statusBatchKey(runId).orElseThrow();

    assertThatThrownBy(() -> service.getJobStatuses(key, Set.of(runId)))
        .isInstanceOf(ThrottledException.class);
    assertThat(livyRequests()).hasSizeGreaterThan(1).allMatch(e -> e.status() == 429);
    assertThat(time.sleeps()).isNotEmpty().allMatch(d -> d.getSeconds() >= 30);
  }

  @Test
  void keysNameTheWorkspaceLivyVersionAndPool() {
    SynapsePlatformService service = service(SystemScheduler.get());
    String key = service.statusBatchKey("pool1:3:tag:app").orElseThrow();
    assertThat(key).endsWith("|pool1").contains(emulator.baseUrl().getHost());
    assertThat(service.statusBatchKey("pool2:3:tag:app")).get().isNotEqualTo(key);
    assertThat(service.statusBatchKey("123:tag")).isEmpty();
    assertThat(service.getJobStatuses(key, Set.of("pool2:3:tag:app"))).isEmpty();
    assertThat(emulator.journal().isEmpty()).isTrue();
  }
}
