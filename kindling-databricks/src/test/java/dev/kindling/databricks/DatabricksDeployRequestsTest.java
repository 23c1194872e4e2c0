package dev.kindling.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeployListener;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.testkit.databricks.DatabricksEmulator;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a deploy makes on Databricks, from the emulator's journal: no OpenID discovery, the
 * SDK's host-metadata request once per process and target, the job lookup alongside the upload, and
 * the order that keeps the previous release runnable (blobs, then the manifest, then the job).
 */
class DatabricksDeployRequestsTest {
  private static final String VOLUME = "/api/2\\.0/fs/(files|directories)/Volumes/.*";

  @TempDir Path data;
  @TempDir Path apps;
  private DatabricksEmulator emulator;

  @BeforeEach
  void start() {
    emulator = DatabricksEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private DeploymentResult deploy(Path app) {
    return deploy(app, DeployListener.NONE);
  }

  /** As a user would: a new service (and Kindling) for every deploy. */
  private DeploymentResult deploy(Path app, DeployListener listener) {
    try (Kindling k =
        Kindling.withPlatform(
            EmulatedTargets.service(emulator, DatabricksEmulator.VOLUME_ARTIFACTS),
            new DatabricksJobRules())) {
      return k.deployer()
          .deployAsJob(
              app, JobConfig.builder().clusterId(DatabricksEmulator.CLUSTER_ID).build(), listener);
    }
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

  private static int indexOf(List<String> requests, Predicate<String> p) {
    for (int i = 0; i < requests.size(); i++) {
      if (p.test(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(List<String> requests, Predicate<String> p) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (p.test(requests.get(i))) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void theSdkNeverFetchesTheOpenIdConfigurationAndAsksForHostMetadataOncePerTarget()
      throws IOException {
    Path app = app("X = 1\n");
    deploy(app);
    assertThat(journal()).noneMatch(r -> r.contains("/oidc/"));
    // (none when an earlier test's emulator had this port and token: its client is reused)
    assertThat(journal()).filteredOn(r -> r.contains("/.well-known/")).hasSizeLessThanOrEqualTo(1);

    // a second Kindling for the same target reuses the client: no discovery at all
    emulator.journal().clear();
    Files.writeString(app.resolve("lib/util.py"), "X = 2\n");
    deploy(app);
    assertThat(journal()).noneMatch(r -> r.contains("/.well-known/") || r.contains("/oidc/"));
  }

  @Test
  void anUnchangedRedeployIsTheManifestCheckAListingTheLookupAndTheReset() throws IOException {
    Path app = app("X = 1\n");
    DeploymentResult first = deploy(app);
    emulator.journal().clear();

    DeploymentResult again = deploy(app);

    assertThat(again.jobId()).isEqualTo(first.jobId());
    assertThat(again.filesUploaded()).isZero();
    List<String> requests = journal();
    // the releases/ listing goes out with the manifest check and is interrupted once the
    // manifest is found: it may or may not have been sent by then, never more than once
    String listing =
        "GET /api/2.0/fs/directories"
            + DatabricksEmulator.VOLUME_ARTIFACTS
            + "/data-apps/seq/releases";
    assertThat(requests).filteredOn(listing::equals).hasSizeLessThanOrEqualTo(1);
    assertThat(requests)
        .filteredOn(r -> !r.equals(listing))
        .containsExactlyInAnyOrder(
            "HEAD /api/2.0/fs/files"
                + DatabricksEmulator.VOLUME_ARTIFACTS
                + "/data-apps/seq/releases/"
                + first.release()
                + ".json",
            "GET /api/2.2/jobs/list",
            "POST /api/2.2/jobs/reset");
    assertThat(requests.get(requests.size() - 1)).isEqualTo("POST /api/2.2/jobs/reset");
  }

  @Test
  void aChangedFileIsStoredBeforeTheManifestAndTheManifestBeforeTheJobSwitch() throws IOException {
    Path app = app("X = 1\n");
    deploy(app);
    emulator.journal().clear();
    Files.writeString(app.resolve("lib/util.py"), "X = 2\n");

    DeploymentResult changed = deploy(app);

    assertThat(changed.filesUploaded()).isEqualTo(1);
    List<String> requests = journal();
    int blobPut = indexOf(requests, r -> r.startsWith("PUT ") && r.contains("/blobs/"));
    int manifestPut =
        indexOf(requests, r -> r.startsWith("PUT ") && r.endsWith(changed.release() + ".json"));
    int lastBlobRequest = lastIndexOf(requests, r -> r.contains("/blobs/"));
    int reset = indexOf(requests, r -> r.equals("POST /api/2.2/jobs/reset"));
    assertThat(blobPut).isNotNegative();
    assertThat(manifestPut).isGreaterThan(lastBlobRequest);
    assertThat(reset).isEqualTo(requests.size() - 1).isGreaterThan(manifestPut);
    // besides the volume's requests: one lookup by name and the reset, no discovery
    assertThat(requests).filteredOn(r -> r.contains("/jobs/list")).hasSize(1);
    assertThat(requests)
        .filteredOn(r -> r.matches("[A-Z]+ " + VOLUME))
        .hasSize(requests.size() - 2);
  }

  @Test
  void aJobDeletedWhileTheReleaseIsUploadedIsCreatedAgain() throws IOException {
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
                // once the lookup has found the job (its answer is in the journal), delete it
                awaitLookup();
                EmulatedTargets.service(emulator, DatabricksEmulator.VOLUME_ARTIFACTS)
                    .deleteJob(first.jobId());
              }
            });

    assertThat(second.jobId()).isNotEqualTo(first.jobId());
    List<String> requests = journal();
    assertThat(requests).contains("POST /api/2.2/jobs/reset", "POST /api/2.2/jobs/create");
    assertThat(
            emulator.journal().requests("POST", "/api/2\\.2/jobs/reset").stream()
                .map(Journal.Entry::status))
        .containsExactly(400);
  }

  private void awaitLookup() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (emulator.journal().requests("GET", "/api/2\\.2/jobs/list").isEmpty()) {
      assertThat(System.nanoTime() - deadline).as("the job lookup was sent").isNegative();
      Thread.onSpinWait();
    }
  }
}
