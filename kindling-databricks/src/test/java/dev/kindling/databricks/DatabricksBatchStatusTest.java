package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched statuses from {@code runs/list?active_only=true}, against the emulator over HTTP. The
 * emulator holds every started run in PENDING (no driver is launched), so states are stable.
 */
class DatabricksBatchStatusTest {
  private static final String LIST = "/api/2\\.2/jobs/runs/list";

  @TempDir Path data;
  @TempDir Path apps;
  private DatabricksEmulator emulator;
  private DatabricksPlatformService service;
  private Kindling kindling;

  @BeforeEach
  void start() {
    emulator =
        DatabricksEmulator.start(EmulatorOptions.in(data))
            .timings(Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
    service = EmulatedTargets.service(emulator, DatabricksEmulator.VOLUME_ARTIFACTS);
    kindling = Kindling.withPlatform(service, new DatabricksJobRules());
  }

  @AfterEach
  void stop() {
    kindling.close();
    emulator.close();
  }

  private DeploymentResult deploy(String name, int maxConcurrentRuns) throws IOException {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "print('hi')\n");
    return kindling
        .deployer()
        .deployAsJob(
            dir,
            JobConfig.builder()
                .clusterId(DatabricksEmulator.CLUSTER_ID)
                .maxConcurrentRuns(maxConcurrentRuns)
                .build());
  }

  private List<String> start(DeploymentResult job, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(service.runSparkJob(job.jobId(), Map.of()));
    }
    return ids;
  }

  private JsonNode run(String runId) {
    return emulator.run(Long.parseLong(runId.substring(0, runId.indexOf(':')))).orElseThrow();
  }

  /** PENDING (held), QUEUED behind the job's limit, or ended: nothing moves any more. */
  private boolean settled(String runId) {
    JsonNode state = run(runId).path("state");
    String lifeCycle = state.path("life_cycle_state").asText();
    return lifeCycle.equals("PENDING")
        || lifeCycle.equals("TERMINATED")
        || lifeCycle.equals("QUEUED") && state.has("queue_reason");
  }

  private static void until(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in 30 s").isNegative();
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
  }

  @Test
  void theActiveRunsListAnswersTheAskedRunsAsRunsGetDoesInPagesOf25() throws IOException {
    DeploymentResult a = deploy("batch-a", 10);
    DeploymentResult b = deploy("batch-b", 1);
    List<String> ofA = start(a, 30);
    List<String> ofB = start(b, 5);
    List<String> cancelled = ofA.subList(27, 30);
    until(() -> ofA.stream().allMatch(this::settled) && ofB.stream().allMatch(this::settled));
    cancelled.forEach(service::cancelJob);
    until(() -> cancelled.stream().allMatch(r -> run(r).path("end_time").asLong() > 0));
    emulator.journal().clear();

    Set<String> asked = new LinkedHashSet<>(ofA);
    asked.add("4242:20200101T000000Z-00000000"); // no such run
    asked.add("not-a-run-id");
    Map<String, JobStatus> statuses =
        service.getJobStatuses(DatabricksPlatformService.ACTIVE_RUNS_KEY, asked);

    // 27 active runs of A and 5 of B are listed: 2 pages, as the unknown run is never found
    List<Journal.Entry> requests = emulator.journal().entries();
    assertThat(requests).as(requests.toString()).hasSize(2).allMatch(e -> e.path().matches(LIST));
    assertThat(requests)
        .allMatch(e -> e.query().contains("active_only=true") && e.query().contains("limit=25"));
    assertThat(requests.get(1).query()).contains("page_token=");
    assertThat(statuses.keySet()).containsExactlyInAnyOrderElementsOf(ofA.subList(0, 27));
    assertThat(statuses.values())
        .extracting(JobStatus::state)
        .containsOnly(RunState.PENDING, RunState.QUEUED)
        .contains(RunState.PENDING, RunState.QUEUED);
    for (Map.Entry<String, JobStatus> e : statuses.entrySet()) {
      assertThat(e.getValue()).isEqualTo(service.getJobStatus(e.getKey()));
    }
    // the cancelled runs ended: runs/get supplies them
    for (String r : cancelled) {
      assertThat(service.getJobStatus(r).state()).isEqualTo(RunState.CANCELLED);
    }

    // the newest asked runs are on the first page: one request
    emulator.journal().clear();
    Map<String, JobStatus> newest =
        service.getJobStatuses(
            DatabricksPlatformService.ACTIVE_RUNS_KEY, new LinkedHashSet<>(ofA.subList(20, 27)));
    assertThat(newest).hasSize(7);
    assertThat(emulator.journal().requests("GET", LIST)).hasSize(1);
    assertThat(emulator.journal().size()).isEqualTo(1);
  }

  @Test
  void everyRunIdHasTheOneKeyAndOtherKeysAreRefused() {
    assertThat(service.statusBatchKey("1099511628001:20261127T021000Z-1a2b3c4d"))
        .contains(DatabricksPlatformService.ACTIVE_RUNS_KEY);
    assertThat(service.statusBatchKey("1099511628001"))
        .contains(DatabricksPlatformService.ACTIVE_RUNS_KEY);
    assertThat(service.statusBatchKey("fabric:x")).isEmpty();
    assertThat(service.getJobStatuses(DatabricksPlatformService.ACTIVE_RUNS_KEY, Set.of()))
        .isEmpty();
    assertThatThrownBy(() -> service.getJobStatuses("job:1", Set.of("1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(emulator.journal().isEmpty()).isTrue(); // no request for any of it
  }

  @Test
  void aThrottledPageIsAskedAgainAfterRetryAfter() throws IOException {
    DeploymentResult a = deploy("batch-throttled", 5);
    List<String> ofA = start(a, 3);
    until(() -> ofA.stream().allMatch(this::settled));
    emulator.journal().clear();
    emulator.inject(
        Fault.on("GET", LIST)
            .status(429)
            .header("Retry-After", "1")
            .body("{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}")
            .times(2)
            .build());

    Map<String, JobStatus> statuses =
        service.getJobStatuses(DatabricksPlatformService.ACTIVE_RUNS_KEY, new LinkedHashSet<>(ofA));

    assertThat(statuses.keySet()).containsExactlyInAnyOrderElementsOf(ofA);
    assertThat(emulator.journal().requests("GET", LIST))
        .extracting(Journal.Entry::status)
        .containsExactly(429, 429, 200);
  }
}
