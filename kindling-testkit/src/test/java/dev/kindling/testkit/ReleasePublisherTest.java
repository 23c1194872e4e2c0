package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeployFile;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.error.KindlingException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleasePublisherTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T02:00:00Z"), ZoneOffset.UTC);
  private final InMemoryArtifactStore store = new InMemoryArtifactStore("mem://root");
  private final ReleasePublisher publisher = new ReleasePublisher(store, 4, clock);

  private static AppFiles app(DeployFile... files) {
    return new AppFiles(
        "demo",
        "1.0.0",
        AppFiles.Runtime.PYTHON,
        List.of(files),
        Optional.of("app.py"),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        "app.py",
        null,
        null);
  }

  @Test
  void firstPublishUploadsEveryBlobThenTheManifest() throws Exception {
    Release r =
        publisher.publish(app(BytesFile.of("app.py", "print(1)"), BytesFile.of("lib/u.py", "x=1")));

    assertThat(r.filesTotal()).isEqualTo(2);
    assertThat(r.filesUploaded()).isEqualTo(2);
    assertThat(r.bytesUploaded()).isEqualTo(11);
    assertThat(r.blob("lib/u.py"))
        .isEqualTo(
            "data-apps/demo/blobs/"
                + BytesFile.sha("x=1".getBytes(StandardCharsets.UTF_8))
                + "/u.py");
    assertThat(store.text(r.blob("app.py"))).contains("print(1)");

    JsonNode manifest = new ObjectMapper().readTree(store.text(r.manifestPath()).orElseThrow());
    assertThat(manifest.get("release").asText()).isEqualTo(r.id());
    assertThat(manifest.get("created").asText()).isEqualTo("2026-11-27T02:00:00Z");
    assertThat(manifest.get("files")).hasSize(2);
    assertThat(manifest.get("files").get(0).get("path").asText()).isEqualTo("app.py");
    assertThat(manifest.get("files").get(1).get("blob").asText()).isEqualTo(r.blob("lib/u.py"));
  }

  @Test
  void unchangedRepublishUploadsNothingAndKeepsTheReleaseId() {
    AppFiles a = app(BytesFile.of("app.py", "print(1)"), BytesFile.of("lib/u.py", "x=1"));
    Release first = publisher.publish(a);
    int uploads = store.uploadCount();

    Release second = publisher.publish(a);

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.filesUploaded()).isZero();
    assertThat(second.bytesUploaded()).isZero();
    assertThat(store.uploadCount()).isEqualTo(uploads);
  }

  @Test
  void aStoredReleaseIsNotListedAgain() {
    AppFiles a = app(BytesFile.of("app.py", "print(1)"), BytesFile.of("lib/u.py", "x=1"));
    publisher.publish(a);
    int lists = store.listCount();

    Release again = publisher.publish(a);

    // its manifest exists, so every blob it names was stored before it: no listing needed
    assertThat(store.listCount()).isEqualTo(lists);
    assertThat(again.filesUploaded()).isZero();
    assertThat(again.blob("lib/u.py")).endsWith("/u.py");
  }

  @Test
  void oneChangedFileUploadsOnlyItsBlobAndMakesANewRelease() {
    Release first =
        publisher.publish(app(BytesFile.of("app.py", "print(1)"), BytesFile.of("u.py", "x=1")));

    Release second =
        publisher.publish(app(BytesFile.of("app.py", "print(2)"), BytesFile.of("u.py", "x=1")));

    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.filesUploaded()).isEqualTo(1);
    assertThat(store.exists(first.manifestPath())).isTrue();
    assertThat(store.text(first.blob("app.py"))).contains("print(1)");
  }

  @Test
  void aFileThatChangesAfterHashingIsRejectedAndLeavesNoBlob() {
    DeployFile liar =
        new BytesFile(
            "app.py",
            "print(2)".getBytes(StandardCharsets.UTF_8),
            BytesFile.sha("print(1)".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> publisher.publish(app(liar)))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("app.py changed while it was being deployed");
    assertThat(store.snapshot()).isEmpty();
  }

  @Test
  void aFailedUploadWritesNoManifestSoThePreviousReleaseStays() {
    Release good = publisher.publish(app(BytesFile.of("app.py", "print(1)")));
    DeployFile broken =
        new DeployFile() {
          @Override
          public String path() {
            return "app.py";
          }

          @Override
          public long size() {
            return 3;
          }

          @Override
          public String sha256() {
            return BytesFile.sha("abc".getBytes(StandardCharsets.UTF_8));
          }

          @Override
          public InputStream open() throws java.io.IOException {
            throw new java.io.IOException("disk on fire");
          }
        };

    assertThatThrownBy(() -> publisher.publish(app(broken)))
        .hasMessageContaining("could not read app.py")
        .hasMessageContaining("disk on fire");
    assertThat(store.snapshot().keySet())
        .filteredOn(p -> p.contains("/releases/"))
        .containsExactly(good.manifestPath());
  }
}
