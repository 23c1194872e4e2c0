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
import org.junit.jupiter.api.Test;

class ReleasePublisherTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T02:00:00Z"), ZoneOffset.UTC);
  private final InMemoryArtifactStore store = new InMemoryArtifactStore("mem://root");
  private final ReleasePublisher publisher = new ReleasePublisher(store, 4, clock);

  private static AppFiles app(DeployFile... files) {
    return DemoApp.of(List.of(files));
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
  void aStoredReleaseNeedsOnlyTheListingThatRanAlongsideTheManifestCheck() {
    AppFiles a = app(BytesFile.of("app.py", "print(1)"), BytesFile.of("lib/u.py", "x=1"));
    publisher.publish(a);
    int lists = store.listCount();
    int uploads = store.uploadCount();

    Release again = publisher.publish(a);

    // its manifest exists, so every blob it names was stored before it: nothing is uploaded,
    // and nothing is listed beyond the one listing sent together with the manifest check
    assertThat(store.listCount()).isEqualTo(lists + 1);
    assertThat(store.uploadCount()).isEqualTo(uploads);
    assertThat(again.filesUploaded()).isZero();
    assertThat(again.blob("lib/u.py")).endsWith("/u.py");
  }

  @Test
  void theManifestCheckAndTheBlobListingAreInFlightTogether() {
    // each call waits (bounded) until the other has started: sequential calls would time out
    java.util.concurrent.CountDownLatch checking = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch listing = new java.util.concurrent.CountDownLatch(1);
    List<String> overlapped = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.kindling.core.spi.ArtifactStore rendezvous =
        new dev.kindling.core.spi.ArtifactStore() {
          @Override
          public String locate(String path) {
            return store.locate(path);
          }

          @Override
          public boolean exists(String path) {
            checking.countDown();
            if (await(listing)) {
              overlapped.add("exists");
            }
            return store.exists(path);
          }

          @Override
          public List<dev.kindling.core.spi.StoredFile> list(String prefix) {
            listing.countDown();
            if (await(checking)) {
              overlapped.add("list " + prefix);
            }
            return store.list(prefix);
          }

          @Override
          public void upload(String path, InputStream data, long size) {
            store.upload(path, data, size);
          }

          @Override
          public InputStream read(String path) {
            return store.read(path);
          }

          @Override
          public boolean delete(String path) {
            return store.delete(path);
          }
        };

    Release r =
        new ReleasePublisher(rendezvous, 4, clock).publish(app(BytesFile.of("app.py", "print(1)")));

    assertThat(r.filesUploaded()).isEqualTo(1);
    assertThat(overlapped).containsExactlyInAnyOrder("exists", "list data-apps/demo/blobs");
  }

  private static boolean await(java.util.concurrent.CountDownLatch latch) {
    try {
      return latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void aFailedListingDoesNotMatterWhenTheReleaseIsStored() {
    AppFiles a = app(BytesFile.of("app.py", "print(1)"));
    Release first = publisher.publish(a);
    dev.kindling.core.spi.ArtifactStore failing = listingFails(store);

    Release again = new ReleasePublisher(failing, 4, clock).publish(a);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.filesUploaded()).isZero();

    // a new release needs the listing: its failure fails the publication, and no manifest is
    // written
    assertThatThrownBy(
            () ->
                new ReleasePublisher(failing, 4, clock)
                    .publish(app(BytesFile.of("app.py", "print(2)"))))
        .hasMessageContaining("listing refused");
    assertThat(store.snapshot().keySet())
        .filteredOn(p -> p.contains("/releases/"))
        .containsExactly(first.manifestPath());
  }

  private static dev.kindling.core.spi.ArtifactStore listingFails(InMemoryArtifactStore store) {
    return new dev.kindling.core.spi.ArtifactStore() {
      @Override
      public String locate(String path) {
        return store.locate(path);
      }

      @Override
      public boolean exists(String path) {
        return store.exists(path);
      }

      @Override
      public List<dev.kindling.core.spi.StoredFile> list(String prefix) {
        throw new KindlingException("listing refused");
      }

      @Override
      public void upload(String path, InputStream data, long size) {
        store.upload(path, data, size);
      }

      @Override
      public InputStream read(String path) {
        return store.read(path);
      }

      @Override
      public boolean delete(String path) {
        return store.delete(path);
      }
    };
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
  void aFileChangedWhileItStreamsIsRefusedBeforeTheStoreCommitsIt() {
    // The bytes read are not the hashed ones: the check at the last byte fails that read, so the
    // store never has the whole body (a DFS upload stops before its flush, a volume PUT breaks
    // off).
    DeployFile liar =
        new BytesFile(
            "lib/big.py",
            "print(2)".repeat(1000).getBytes(StandardCharsets.UTF_8),
            BytesFile.sha("print(1)".repeat(1000).getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> publisher.publish(app(liar)))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("lib/big.py changed while it was being deployed (expected sha256");
    assertThat(store.snapshot()).isEmpty();
    assertThat(store.uploadCount()).isZero();
  }

  @Test
  void aFileProvenUnchangedByItsStatIsNotHashedAgainButCheckedBeforeAndAtItsEnd() {
    // Its hash says "print(1)" but its stat vouches for it: the upload trusts the stat (hashing
    // once, at load), and asks it again when the last byte has been read.
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    DeployFile vouched =
        new StatFile(
            BytesFile.of("app.py", "print(1)"),
            "print(2)".getBytes(StandardCharsets.UTF_8),
            () -> {
              asked.incrementAndGet();
              return true;
            });

    Release r = publisher.publish(app(vouched));

    assertThat(store.text(r.blob("app.py"))).contains("print(2)");
    assertThat(asked.get()).isEqualTo(2);
  }

  @Test
  void aFileWhoseStatChangesWhileItStreamsIsRefusedAndLeavesNoBlob() {
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    DeployFile touched =
        new StatFile(
            BytesFile.of("app.py", "print(1)"),
            "print(1)".getBytes(StandardCharsets.UTF_8),
            () -> asked.incrementAndGet() == 1); // unchanged before, changed at the end

    assertThatThrownBy(() -> publisher.publish(app(touched)))
        .hasMessageContaining("app.py changed while it was being deployed")
        .hasMessageContaining("modification time");
    assertThat(store.snapshot()).isEmpty();
  }

  @Test
  void largeFilesAreUploadedFirst() {
    RecordingStore recording = new RecordingStore(store);
    ReleasePublisher oneLane = new ReleasePublisher(recording, 1, clock);

    oneLane.publish(
        app(
            BytesFile.of("a.py", "x"),
            BytesFile.of("big.bin", "y".repeat(5000)),
            BytesFile.of("mid.py", "z".repeat(50))));

    assertThat(recording.order).hasSize(4);
    assertThat(recording.order.subList(0, 3))
        .extracting(p -> p.substring(p.lastIndexOf('/') + 1))
        .containsExactly("big.bin", "mid.py", "a.py");
    assertThat(recording.order.get(3)).contains("/releases/");
  }

  /** A file whose stat check answers as told, with other bytes than its hash says. */
  private record StatFile(
      BytesFile hashed, byte[] bytes, java.util.function.BooleanSupplier unchanged)
      implements DeployFile {
    @Override
    public String path() {
      return hashed.path();
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public String sha256() {
      return hashed.sha256();
    }

    @Override
    public InputStream open() {
      return new java.io.ByteArrayInputStream(bytes);
    }

    @Override
    public boolean provablyUnchanged() {
      return unchanged.getAsBoolean();
    }
  }

  /** Records the order of writes. */
  private static final class RecordingStore implements dev.kindling.core.spi.ArtifactStore {
    final dev.kindling.core.spi.ArtifactStore inner;
    final List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    RecordingStore(dev.kindling.core.spi.ArtifactStore inner) {
      this.inner = inner;
    }

    @Override
    public String locate(String path) {
      return inner.locate(path);
    }

    @Override
    public boolean exists(String path) {
      return inner.exists(path);
    }

    @Override
    public void upload(String path, InputStream data, long size) {
      order.add(path);
      inner.upload(path, data, size);
    }

    @Override
    public InputStream read(String path) {
      return inner.read(path);
    }

    @Override
    public List<dev.kindling.core.spi.StoredFile> list(String prefix) {
      return inner.list(prefix);
    }

    @Override
    public boolean delete(String path) {
      return inner.delete(path);
    }
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
