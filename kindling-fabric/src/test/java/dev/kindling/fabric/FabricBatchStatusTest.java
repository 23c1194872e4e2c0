package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.error.ThrottledException;
import dev.kindling.core.run.JobStatus;
import dev.kindling.core.run.RunState;
import dev.kindling.core.time.ManualScheduler;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched statuses from the item's list of job instances, against the emulator over HTTP. */
class FabricBatchStatusTest {
  private static final String LIST = "/v1/workspaces/[^/]+/items/[^/]+/jobs/instances";

  @TempDir Path data;
  @TempDir Path apps;
  private FabricEmulator emulator;
  private FabricPlatformService service;
  private Kindling kindling;

  @BeforeEach
  void start() {
    emulator =
        FabricEmulator.start(EmulatorOptions.in(data))
            .retryAfterSeconds(0)
            .longRunningOperations(false)
            .pageSize(10);
    service =
        new FabricPlatformService(
            FabricTestTargets.settings(emulator), Clock.systemUTC(), SystemScheduler.get());
    kindling = Kindling.withPlatform(service, new FabricJobRules());
  }

  @AfterEach
  void stop() {
    kindling.close();
    try {
      assertThat(emulator.specViolations()).isEmpty();
    } finally {
      emulator.close();
    }
  }

  private DeploymentResult deploy(String name, String code) throws IOException {
    Path dir = Files.createDirectories(apps.resolve(name));
    Files.writeString(dir.resolve("app.yaml"), "name: " + name + "\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), code);
    return kindling.deployer().deployAsJob(dir, JobConfig.builder().jobName(name).build());
  }

  /** Removes the job's main file from OneLake: its runs then fail at once, with no driver. */
  private void removeExecutable(DeploymentResult job) throws IOException {
    URI file = URI.create(job.metadata().get("executable_file"));
    Files.delete(emulator.oneLake().file(emulator.workspaceId(), file.getPath().substring(1)));
  }

  private List<String> start(DeploymentResult job, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(service.runSparkJob(job.jobId(), Map.of()));
    }
    return ids;
  }

  interface Check {
    boolean met() throws IOException;
  }

  /** Waits for something the emulator's drivers do on their own. */
  private static void until(Check condition) throws IOException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!condition.met()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in 60 s").isNegative();
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }

  private List<Journal.Entry> apiRequests() {
    return emulator.journal().entries(e -> e.path().startsWith("/v1/"));
  }

  @Test
  void theItemsJobInstancesAnswerTheAskedRunsAsTheirGetDoes() throws IOException {
    Path started = apps.resolve("started");
    DeploymentResult a =
        deploy(
            "batch-a",
            "with open(r'"
                + started
                + "', 'a') as f:\n    f.write('x')\n"
                + "import time\ntime.sleep(600)\n");
    DeploymentResult b = deploy("batch-b", "print('b')\n");
    List<String> ofA = new ArrayList<>(start(a, 2)); // running
    until(() -> Files.isRegularFile(started) && Files.size(started) == 2);
    service.cancelJob(ofA.get(1));
    removeExecutable(a);
    removeExecutable(b);
    ofA.addAll(start(a, 28)); // failed at once
    List<String> ofB = start(b, 3);
    String key = service.statusBatchKey(ofA.get(0)).orElseThrow();
    assertThat(ofA).allMatch(r -> service.statusBatchKey(r).orElseThrow().equals(key));
    assertThat(service.statusBatchKey(ofB.get(0))).isPresent().get().isNotEqualTo(key);
    emulator.journal().clear();

    Set<String> asked = new LinkedHashSet<>(ofA);
    asked.add(ofB.get(0)); // another item's run
    String unknown =
        ofA.get(0).replace(ofA.get(0).split(":")[3], "00000000-0000-0000-0000-0000000000ff");
    asked.add(unknown);
    asked.add("not-a-run-id");
    Map<String, JobStatus> statuses = service.getJobStatuses(key, asked);

    // 30 instances of the item, 10 a page: 3 pages, as the unknown run is never found
    assertThat(apiRequests()).hasSize(3).allMatch(e -> e.path().matches(LIST));
    assertThat(apiRequests().get(1).query()).startsWith("continuationToken=");
    assertThat(statuses.keySet()).containsExactlyInAnyOrderElementsOf(ofA);
    assertThat(statuses.get(ofA.get(0)).state()).isEqualTo(RunState.RUNNING);
    assertThat(statuses.get(ofA.get(1)).state()).isEqualTo(RunState.CANCELLED);
    assertThat(statuses.get(ofA.get(2)).state()).isEqualTo(RunState.FAILED);
    assertThat(statuses.get(ofA.get(2)).error().orElseThrow()).contains("was not found");
    for (Map.Entry<String, JobStatus> e : statuses.entrySet()) {
      assertThat(e.getValue()).isEqualTo(service.getJobStatus(e.getKey()));
    }

    // the runs on the first page: one request
    emulator.journal().clear();
    assertThat(service.getJobStatuses(key, new LinkedHashSet<>(ofA.subList(0, 10)))).hasSize(10);
    assertThat(apiRequests()).hasSize(1);
  }

  @Test
  void aThrottledListingRaisesThrottledAfterItsRetries() throws IOException {
    ManualScheduler time = new ManualScheduler();
    FabricPlatformService onFakeTime =
        new FabricPlatformService(FabricTestTargets.settings(emulator), Clock.systemUTC(), time);
    DeploymentResult a = deploy("batch-throttled", "print('x')\n");
    removeExecutable(a);
    List<String> ofA = start(a, 2);
    emulator.inject(
        Fault.on("GET", LIST)
            .status(429)
            .header("Retry-After", "30")
            .body("{\"errorCode\":\"TooManyRequests\",\"message\":\"slow down\"}")
            .always()
            .build());
    emulator.journal().clear();

    String key = onFakeTime.statusBatchKey(ofA.get(0)).orElseThrow();
    assertThatThrownBy(() -> onFakeTime.getJobStatuses(key, new LinkedHashSet<>(ofA)))
        .isInstanceOf(ThrottledException.class);
    assertThat(apiRequests()).hasSizeGreaterThan(1).allMatch(e -> e.status() == 429);
    assertThat(time.sleeps()).isNotEmpty().allMatch(d -> d.getSeconds() >= 30);
  }

  @Test
  void keysNeedAFabricRunOfTheTargetsWorkspace() {
    String ws = emulator.workspaceId();
    String item = "11111111-1111-1111-1111-111111111111";
    String run = "fabric:" + ws + ":" + item + ":22222222-2222-2222-2222-222222222222:app:tag";
    assertThat(service.statusBatchKey(run)).contains(ws + "/" + item);
    assertThat(
            service.statusBatchKey(
                run.replace(ws, "33333333-3333-3333-3333-333333333333".toUpperCase())))
        .isEmpty();
    assertThat(service.statusBatchKey("1234:tag")).isEmpty();
    assertThat(service.getJobStatuses(ws + "/" + item, Set.of("1234:tag"))).isEmpty();
    assertThat(emulator.journal().isEmpty()).isTrue();
  }
}
