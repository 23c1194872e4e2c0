package dev.kindling.synapse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.Kindling;
import dev.kindling.core.config.JobConfig;
import dev.kindling.core.deploy.DeploymentResult;
import dev.kindling.core.time.SystemScheduler;
import dev.kindling.testkit.emulator.EmulatorOptions;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.synapse.SynapseEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a deploy makes on Synapse, from the emulator's journal: the stored definition is
 * read alongside the upload, an identical one is not saved again, and the order keeps the previous
 * release runnable (blobs, then the manifest, then the definition).
 */
class SynapseDeployRequestsTest {
  private static final String DEFINITION = "/sparkJobDefinitions/seq";

  @TempDir Path data;
  @TempDir Path apps;
  private SynapseEmulator emulator;

  @BeforeEach
  void start() {
    emulator = SynapseEmulator.start(EmulatorOptions.in(data));
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private DeploymentResult deploy(Path app, JobConfig config) {
    SynapsePlatformService service =
        SynapseModule.create(
            SynapseSettings.from(SynapseEmulatorTargets.of(emulator.target())),
            new SynapsePlatformService.Options(Duration.ofMillis(100), Duration.ofSeconds(5)),
            SystemScheduler.get(),
            Clock.systemUTC());
    try (Kindling k = Kindling.withPlatform(service, new SynapseJobRules())) {
      return k.deployer().deployAsJob(app, config);
    }
  }

  private DeploymentResult deploy(Path app) {
    return deploy(app, JobConfig.builder().jobName("seq").build());
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

  @Test
  void anUnchangedRedeployReadsTheDefinitionAndDoesNotSaveItAgain() throws IOException {
    Path app = app("X = 1\n");
    DeploymentResult first = deploy(app);
    emulator.journal().clear();

    DeploymentResult again = deploy(app);

    assertThat(again.release()).isEqualTo(first.release());
    assertThat(again.filesUploaded()).isZero();
    // the blob listing goes out with the manifest check and is interrupted once the manifest is
    // found: it may or may not have been sent by then, never more than once
    List<String> listings = listings(journal());
    assertThat(listings).hasSizeLessThanOrEqualTo(1);
    List<String> requests = new java.util.ArrayList<>(journal());
    requests.removeAll(listings);
    assertThat(requests)
        .hasSize(2)
        .contains("GET " + DEFINITION)
        .anyMatch(r -> r.startsWith("HEAD ") && r.endsWith(first.release() + ".json"))
        .noneMatch(r -> r.startsWith("PUT "));
  }

  @Test
  void aChangedConfigSavesTheDefinitionEvenForAStoredRelease() throws IOException {
    Path app = app("X = 1\n");
    deploy(app);
    emulator.journal().clear();

    deploy(app, JobConfig.builder().jobName("seq").executors(3).build());

    assertThat(journal()).contains("PUT " + DEFINITION);
    assertThat(journal()).noneMatch(r -> r.startsWith("PUT ") && r.contains("/blobs/"));
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
    int lastBlob = -1;
    int firstManifestWrite = -1;
    int put = requests.indexOf("PUT " + DEFINITION);
    for (int i = 0; i < requests.size(); i++) {
      String r = requests.get(i);
      boolean write = !r.startsWith("GET ") && !r.startsWith("HEAD ");
      if (write && r.contains("/blobs/")) {
        lastBlob = i;
      }
      if (write && r.contains("/releases/") && firstManifestWrite < 0) {
        firstManifestWrite = i;
      }
    }
    assertThat(lastBlob).isNotNegative();
    assertThat(firstManifestWrite).isGreaterThan(lastBlob);
    assertThat(put).isGreaterThan(firstManifestWrite);
    assertThat(requests).containsOnlyOnce("GET " + DEFINITION);
  }

  @Test
  void anUnreadableDefinitionIsSavedAsBefore() throws IOException {
    Path app = app("X = 1\n");
    deploy(app);
    emulator.journal().clear();
    emulator.inject(Fault.on("GET", DEFINITION).status(403).always().build());

    DeploymentResult again = deploy(app);

    assertThat(again.filesUploaded()).isZero();
    assertThat(journal()).contains("PUT " + DEFINITION);
  }

  /** The journal's listings of the blob tree (a GET of the filesystem: its path is its name). */
  private static List<String> listings(List<String> requests) {
    return requests.stream().filter(r -> r.equals("GET /kindling")).toList();
  }
}
