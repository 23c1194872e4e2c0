package dev.kindling.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeployListener;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.fabric.FabricEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a deploy makes on Fabric, from the emulator's journal: the definition is looked up
 * alongside the upload, the description is sent only when it changes, and the order keeps the
 * previous release runnable (blobs, then the manifest, then the definition).
 */
class FabricDeployRequestsTest {
  private static final String ITEMS = "/v1/workspaces/[^/]+/sparkJobDefinitions";

  @TempDir Path data;
  @TempDir Path apps;
  private FabricEmulator emulator;

  @BeforeEach
  void start() {
    emulator = FabricEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    try {
      assertThat(emulator.specViolations()).isEmpty();
    } finally {
      emulator.close();
    }
  }

  private DeploymentResult deploy(Path app, DeployListener listener) {
    FabricPlatformService service =
        new FabricPlatformService(
            FabricTestTargets.settings(emulator), Clock.systemUTC(), SystemScheduler.get());
    try (Kindling k = Kindling.withPlatform(service, new FabricJobRules())) {
      return k.deployer().deployAsJob(app, JobConfig.builder().build(), listener);
    }
  }

  private DeploymentResult deploy(Path app) {
    return deploy(app, DeployListener.NONE);
  }

  private Path app(String code) throws IOException {
    Path dir = apps.resolve("seq");
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("app.yaml"), "name: seq\nversion: 1.0.0\n");
    Files.writeString(dir.resolve("app.py"), "import lib.util\n");
    Files.writeString(dir.resolve("lib/util.py"), code);
    return dir;
  }

  private List<String> journal() {
    return emulator.journal().entries().stream().map(e -> e.method() + " " + e.path()).toList();
  }

  private static int first(List<String> requests, Predicate<String> p) {
    for (int i = 0; i < requests.size(); i++) {
      if (p.test(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int last(List<String> requests, Predicate<String> p) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (p.test(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void anUnchangedRedeploySendsTheDefinitionButNotTheUnchangedDescription() throws IOException {
    Path app = app("X = 1\n");
    DeploymentResult first = deploy(app);
    emulator.journal().clear();

    DeploymentResult again = deploy(app);

    assertThat(again.jobId()).isEqualTo(first.jobId());
    assertThat(again.filesUploaded()).isZero();
    List<String> requests = journal();
    // the blob listing goes out with the manifest check and is interrupted once the manifest is
    // found: it may or may not have been sent by then, never more than once
    assertThat(requests)
        .filteredOn(r -> r.startsWith("GET ") && !r.contains("/v1/"))
        .hasSizeLessThanOrEqualTo(1);
    assertThat(requests).filteredOn(r -> !r.startsWith("GET ") || r.contains("/v1/")).hasSize(3);
    assertThat(requests)
        .anyMatch(
            r -> r.startsWith("HEAD ") && r.endsWith("/releases/" + first.release() + ".json"))
        .anyMatch(r -> r.matches("GET " + ITEMS));
    assertThat(requests.get(requests.size() - 1))
        .matches("POST " + ITEMS + "/[^/]+/updateDefinition");
    assertThat(requests).noneMatch(r -> r.startsWith("PATCH /v1/"));
  }

  @Test
  void aChangedFileIsStoredBeforeTheManifestAndTheManifestBeforeTheDefinition() throws IOException {
    Path app = app("X = 1\n");
    deploy(app);
    emulator.journal().clear();
    Files.writeString(app.resolve("lib/util.py"), "X = 2\n");

    DeploymentResult changed = deploy(app);

    assertThat(changed.filesUploaded()).isEqualTo(1);
    List<String> requests = journal();
    int lastBlob = last(requests, r -> r.contains("/blobs/") && !r.startsWith("GET "));
    int manifestFinal =
        first(requests, r -> r.startsWith("PUT ") && r.endsWith("/" + changed.release() + ".json"));
    int firstManifestWrite =
        first(
            requests,
            r -> r.contains("/releases/") && !r.startsWith("GET ") && !r.startsWith("HEAD "));
    int update = first(requests, r -> r.matches("POST " + ITEMS + "/[^/]+/updateDefinition"));
    int describe = first(requests, r -> r.matches("PATCH " + ITEMS + "/[^/]+"));
    assertThat(lastBlob).isNotNegative();
    assertThat(firstManifestWrite).isGreaterThan(lastBlob);
    assertThat(update).isGreaterThan(manifestFinal).isGreaterThan(firstManifestWrite);
    // the new release is named in the description, after the definition points at it
    assertThat(describe).isEqualTo(requests.size() - 1).isGreaterThan(update);
    assertThat(requests).filteredOn(r -> r.matches("GET " + ITEMS)).hasSize(1);
  }

  @Test
  void aDefinitionDeletedWhileTheReleaseIsUploadedIsCreatedAgain() throws IOException {
    Path app = app("X = 1\n");
    DeploymentResult first = deploy(app);
    Files.writeString(app.resolve("lib/util.py"), "X = 3\n");
    emulator.journal().clear();

    DeploymentResult second =
        deploy(
            app,
            new DeployListener() {
              @Override
              public void planned(int filesTotal, int filesToUpload, long bytesToUpload) {
                // once the lookup has found the definition (its answer is journaled), delete it
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (emulator.journal().requests("GET", ITEMS).isEmpty()) {
                  assertThat(System.nanoTime() - deadline).as("the lookup was sent").isNegative();
                  Thread.onSpinWait();
                }
                new FabricPlatformService(
                        FabricTestTargets.settings(emulator),
                        Clock.systemUTC(),
                        SystemScheduler.get())
                    .deleteJob(first.jobId());
              }
            });

    assertThat(second.jobId()).isNotEqualTo(first.jobId());
    assertThat(emulator.journal().requests("POST", ITEMS + "/[^/]+/updateDefinition"))
        .extracting(e -> e.status())
        .containsExactly(404);
    assertThat(emulator.journal().requests("POST", ITEMS)).hasSize(1);
  }
}
