package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeployFile;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Publishing an app whose files are still being hashed (a deploy loads the app with background
 * hashing): the stored blobs are listed at once, each missing file is uploaded as soon as its hash
 * is known, and the manifest comes after every blob.
 */
class PublishWhileHashingTest {
  private static final long WAIT_S = 10;

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T02:00:00Z"), ZoneOffset.UTC);
  private final InMemoryArtifactStore memory = new InMemoryArtifactStore("mem://root");

  /** A file whose hash is known when the test completes {@link #hash}. */
  private static final class HashingFile implements DeployFile {
    final BytesFile file;
    final CompletableFuture<String> hash = new CompletableFuture<>();

    HashingFile(String path, String text) {
      this.file = BytesFile.of(path, text);
    }

    void hashed() {
      hash.complete(file.sha256());
    }

    @Override
    public String path() {
      return file.path();
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public String sha256() {
      return hash.join();
    }

    @Override
    public CompletableFuture<String> sha256Future() {
      return hash.copy();
    }

    @Override
    public InputStream open() {
      return file.open();
    }
  }

  private static AppFiles app(List<DeployFile> files) {
    return DemoApp.of(files);
  }

  /** Records the store calls in order and opens a latch when a given path is uploaded. */
  private static final class Recording implements ArtifactStore {
    final ArtifactStore delegate;
    final boolean recursive;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch uploadedApp = new CountDownLatch(1);
    volatile Runnable onList = () -> {};
    volatile String failUploadsOf = "";

    Recording(ArtifactStore delegate, boolean recursive) {
      this.delegate = delegate;
      this.recursive = recursive;
    }

    @Override
    public String locate(String path) {
      return delegate.locate(path);
    }

    @Override
    public boolean exists(String path) {
      calls.add("exists " + path);
      return delegate.exists(path);
    }

    @Override
    public void upload(String path, InputStream data, long size) {
      if (!failUploadsOf.isEmpty() && path.endsWith(failUploadsOf)) {
        throw new KindlingException("storage refused " + path);
      }
      delegate.upload(path, data, size);
      calls.add("upload " + path);
      if (path.endsWith("/app.py")) {
        uploadedApp.countDown();
      }
    }

    @Override
    public InputStream read(String path) {
      calls.add("read " + path);
      return delegate.read(path);
    }

    @Override
    public List<StoredFile> list(String prefix) {
      calls.add("list " + prefix);
      onList.run();
      return delegate.list(prefix);
    }

    @Override
    public boolean delete(String path) {
      return delegate.delete(path);
    }

    @Override
    public boolean listsRecursivelyInOneRequest() {
      return recursive;
    }
  }

  private static boolean await(CountDownLatch latch) {
    try {
      return latch.await(WAIT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void aHashedFileIsUploadedWhileAnotherIsStillBeingHashed() throws Exception {
    Recording store = new Recording(memory, true);
    BytesFile app = BytesFile.of("app.py", "print(1)");
    HashingFile big = new HashingFile("data/big.bin", "still being read");
    CompletableFuture<Release> published =
        CompletableFuture.supplyAsync(
            () -> new ReleasePublisher(store, 4, clock).publish(app(List.of(app, big))));

    // app.py's blob is stored although big.bin's hash (and so the release id) is not known yet
    assertThat(await(store.uploadedApp)).isTrue();
    assertThat(published).isNotDone();
    assertThat(store.calls.get(0)).isEqualTo("list data-apps/demo/blobs");
    assertThat(store.calls).noneMatch(c -> c.contains("/releases/"));

    big.hashed();
    Release r = published.get(WAIT_S, TimeUnit.SECONDS);

    assertThat(r.filesUploaded()).isEqualTo(2);
    assertThat(r.id()).isEqualTo(ReleasePublisher.releaseId(app(List.of(app, big.file))));
    assertThat(memory.text(r.blob("data/big.bin"))).contains("still being read");
    // the manifest is the last write, and no manifest check was needed: a blob was missing
    assertThat(store.calls.get(store.calls.size() - 1)).isEqualTo("upload " + r.manifestPath());
    assertThat(store.calls).noneMatch(c -> c.startsWith("exists"));
  }

  @Test
  void aFileThatCannotBeHashedFailsThePublishAndWritesNoManifest() {
    Recording store = new Recording(memory, true);
    HashingFile broken = new HashingFile("lib/broken.py", "x=1");
    broken.hash.completeExceptionally(
        new KindlingException("lib/broken.py could not be read: java.io.IOException: gone"));
    HashingFile slow = new HashingFile("app.py", "print(1)");
    store.onList = slow::hashed; // hashed while the blobs are listed

    assertThatThrownBy(
            () -> new ReleasePublisher(store, 4, clock).publish(app(List.of(slow, broken))))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("lib/broken.py could not be read");
    assertThat(memory.list("data-apps/demo/releases")).isEmpty();
  }

  @Test
  void anUnchangedAppHashedAgainUploadsNothingAndKeepsItsRelease() {
    Recording store = new Recording(memory, true);
    BytesFile app = BytesFile.of("app.py", "print(1)");
    BytesFile util = BytesFile.of("lib/u.py", "x=1");
    Release first = new ReleasePublisher(store, 4, clock).publish(app(List.of(app, util)));
    int uploads = memory.uploadCount();
    store.calls.clear();

    // as on a machine without the hash cache: every file hashed again, one still being hashed
    HashingFile again = new HashingFile("lib/u.py", "x=1");
    store.onList = again::hashed;
    Release second = new ReleasePublisher(store, 4, clock).publish(app(List.of(app, again)));

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.filesUploaded()).isZero();
    assertThat(memory.uploadCount()).isEqualTo(uploads);
    assertThat(store.calls)
        .containsExactly("list data-apps/demo/blobs", "exists " + first.manifestPath());
  }

  @Test
  void aVolumeWithoutAReleaseListsItsBlobTreeOnceAndUploadsWhileHashing() throws Exception {
    PerDirectoryListingPublishTest.PerDirectoryStore volume =
        new PerDirectoryListingPublishTest.PerDirectoryStore();
    Recording store = new Recording(volume, false);
    BytesFile app = BytesFile.of("app.py", "print(1)");
    List<DeployFile> files = new ArrayList<>(List.of(app));
    List<HashingFile> pending = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // more than the per-blob checks a release would allow
      HashingFile f = new HashingFile("lib/m" + i + ".py", "x=" + i);
      pending.add(f);
      files.add(f);
    }
    CompletableFuture<Release> published =
        CompletableFuture.supplyAsync(
            () -> new ReleasePublisher(store, 4, clock).publish(app(files)));

    assertThat(await(store.uploadedApp)).isTrue();
    assertThat(published).isNotDone();
    pending.forEach(HashingFile::hashed);
    Release r = published.get(WAIT_S, TimeUnit.SECONDS);

    assertThat(r.filesUploaded()).isEqualTo(41);
    assertThat(store.calls.subList(0, 2))
        .containsExactly("list data-apps/demo/releases", "list data-apps/demo/blobs");
    assertThat(store.calls.stream().filter(c -> c.startsWith("list"))).hasSize(2);
  }

  @Test
  void aVolumeWithAReleaseFindsStoredBlobsAsBeforeOnceEveryHashIsKnown() {
    PerDirectoryListingPublishTest.PerDirectoryStore volume =
        new PerDirectoryListingPublishTest.PerDirectoryStore();
    Recording store = new Recording(volume, false);
    BytesFile app = BytesFile.of("app.py", "print(1)");
    new ReleasePublisher(store, 4, clock)
        .publish(app(List.of(app, BytesFile.of("lib/u.py", "x=1"))));
    store.calls.clear();

    HashingFile changed = new HashingFile("lib/u.py", "x=2");
    store.onList = changed::hashed;
    Release r = new ReleasePublisher(store, 4, clock).publish(app(List.of(app, changed)));

    assertThat(r.filesUploaded()).isEqualTo(1);
    // releases/ and then only the changed blob's own directory: the newest release names the rest
    assertThat(store.calls.stream().filter(c -> c.startsWith("list")))
        .containsExactly(
            "list data-apps/demo/releases",
            "list " + r.blob("lib/u.py").substring(0, r.blob("lib/u.py").lastIndexOf('/')));
  }

  @Test
  void aFailedUploadEndsThePublishWithoutWaitingForFilesStillBeingHashed() {
    Recording store = new Recording(memory, true);
    store.failUploadsOf = "/app.py";
    HashingFile neverHashed = new HashingFile("data/huge.bin", "never finishes hashing");

    CompletableFuture<Release> published =
        CompletableFuture.supplyAsync(
            () ->
                new ReleasePublisher(store, 4, clock)
                    .publish(app(List.of(BytesFile.of("app.py", "print(1)"), neverHashed))));

    assertThatThrownBy(() -> published.get(WAIT_S, TimeUnit.SECONDS))
        .hasCauseInstanceOf(KindlingException.class)
        .hasMessageContaining("storage refused");
    assertThat(memory.list("data-apps/demo/releases")).isEmpty();
  }

  @Test
  void filesWithTheSameContentAndNameShareOneUploadWhileHashing() {
    Recording store = new Recording(memory, true);
    HashingFile a = new HashingFile("a/conf.yaml", "k: v");
    HashingFile b = new HashingFile("b/conf.yaml", "k: v");
    HashingFile empty = new HashingFile("empty.txt", "");
    store.onList =
        () -> {
          a.hashed();
          b.hashed();
          empty.hashed();
        };

    Release r =
        new ReleasePublisher(store, 4, clock)
            .publish(app(List.of(BytesFile.of("app.py", "print(1)"), a, b, empty)));

    assertThat(r.blob("a/conf.yaml")).isEqualTo(r.blob("b/conf.yaml"));
    assertThat(r.filesUploaded()).isEqualTo(3); // app.py, the shared blob, the empty file
    assertThat(store.calls.stream().filter(c -> c.endsWith("/conf.yaml"))).hasSize(1);
    assertThat(memory.text(r.blob("empty.txt"))).contains("");
  }

  @Test
  void aVolumeWithAnUnchangedReleaseIsCheckedByItsManifestWithoutReadingOne() {
    PerDirectoryListingPublishTest.PerDirectoryStore volume =
        new PerDirectoryListingPublishTest.PerDirectoryStore();
    Recording store = new Recording(volume, false);
    BytesFile app = BytesFile.of("app.py", "print(1)");
    Release first =
        new ReleasePublisher(store, 4, clock)
            .publish(app(List.of(app, BytesFile.of("lib/u.py", "x=1"))));
    store.calls.clear();

    HashingFile again = new HashingFile("lib/u.py", "x=1");
    store.onList = again::hashed;
    Release second = new ReleasePublisher(store, 4, clock).publish(app(List.of(app, again)));

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.filesUploaded()).isZero();
    assertThat(store.calls)
        .containsExactly("list data-apps/demo/releases", "exists " + first.manifestPath());
  }
}
