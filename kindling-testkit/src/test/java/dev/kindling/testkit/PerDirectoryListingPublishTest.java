package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeployFile;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Publishing to a store whose listing costs one request per directory (Unity Catalog volumes,
 * DBFS): the newest release manifest tells which blobs are stored, so a one-file change lists only
 * that blob's directory instead of every blob directory.
 */
class PerDirectoryListingPublishTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T02:00:00Z"), ZoneOffset.UTC);
  private final PerDirectoryStore store = new PerDirectoryStore();
  private final ReleasePublisher publisher = new ReleasePublisher(store, 4, clock);

  private static AppFiles app(List<DeployFile> files) {
    return DemoApp.of(files);
  }

  private static List<DeployFile> files(int n, String changed) {
    List<DeployFile> out = new ArrayList<>();
    out.add(BytesFile.of("app.py", "print(1)"));
    for (int i = 0; i < n; i++) {
      out.add(BytesFile.of("lib/m" + i + ".py", i == 0 && changed != null ? changed : "x=" + i));
    }
    return out;
  }

  @Test
  void aOneFileChangeListsOnlyTheChangedBlobsDirectory() {
    publisher.publish(app(files(50, null)));
    store.lists.clear();
    int uploads = store.delegate.uploadCount();

    Release second = publisher.publish(app(files(50, "x = 'changed'")));

    assertThat(second.filesUploaded()).isEqualTo(1);
    assertThat(store.delegate.uploadCount() - uploads).isEqualTo(2); // the blob and the manifest
    // releases/ once, and the changed blob's own directory once; not 51 blob directories
    assertThat(store.lists)
        .containsOnlyKeys(
            "data-apps/demo/releases", second.blob("lib/m0.py").replaceAll("/[^/]+$", ""));
  }

  @Test
  void aBlobStoredByAnOlderReleaseIsFoundWithoutUploadingIt() {
    publisher.publish(app(files(3, null)));
    publisher.publish(app(files(3, "y=1")));
    store.lists.clear();
    int uploads = store.delegate.uploadCount();

    // m0 goes back to its first content (not in the newest release, but stored) and m2 changes
    List<DeployFile> next = files(3, "x=0");
    next.set(3, BytesFile.of("lib/m2.py", "z=2"));
    Release third = publisher.publish(app(next));

    assertThat(third.filesUploaded()).isEqualTo(1);
    assertThat(store.delegate.uploadCount() - uploads).isEqualTo(2); // m2's blob and the manifest
    assertThat(store.lists).hasSize(3).doesNotContainKey("data-apps/demo/blobs");
  }

  @Test
  void manyUnknownBlobsFallBackToOneFullListing() {
    Release first = publisher.publish(app(files(40, null)));

    assertThat(first.filesUploaded()).isEqualTo(41);
    assertThat(store.lists).containsKey("data-apps/demo/blobs");
  }

  @Test
  void aPartialBlobOfTheWrongSizeIsUploadedAgain() {
    Release first = publisher.publish(app(files(2, null)));
    // another deployer's upload of m1's blob was cut short, and m1 is new to the next release
    store.delegate.upload(
        "data-apps/demo/blobs/" + BytesFile.sha("x=9".getBytes()) + "/m1.py",
        new java.io.ByteArrayInputStream("x".getBytes()),
        1);
    List<DeployFile> next = files(2, null);
    next.set(2, BytesFile.of("lib/m1.py", "x=9"));

    Release second = publisher.publish(app(next));

    assertThat(first.filesUploaded()).isEqualTo(3);
    assertThat(second.filesUploaded()).isEqualTo(1);
    assertThat(store.delegate.text(second.blob("lib/m1.py"))).contains("x=9");
  }

  /** An in-memory store that lists like a volume: one call per directory, with times. */
  static final class PerDirectoryStore implements ArtifactStore {
    final InMemoryArtifactStore delegate = new InMemoryArtifactStore("mem://vol");
    final Map<String, Integer> lists = new ConcurrentHashMap<>();
    final Map<String, Instant> written = new ConcurrentHashMap<>();
    final AtomicLong tick = new AtomicLong();

    @Override
    public String locate(String path) {
      return delegate.locate(path);
    }

    @Override
    public boolean exists(String path) {
      return delegate.exists(path);
    }

    @Override
    public void upload(String path, InputStream data, long size) {
      delegate.upload(path, data, size);
      written.put(path, Instant.EPOCH.plusSeconds(tick.incrementAndGet()));
    }

    @Override
    public InputStream read(String path) {
      return delegate.read(path);
    }

    @Override
    public List<StoredFile> list(String prefix) {
      lists.merge(prefix, 1, Integer::sum);
      return delegate.list(prefix).stream()
          .map(f -> new StoredFile(f.path(), f.size(), written.get(f.path())))
          .toList();
    }

    @Override
    public boolean delete(String path) {
      return delegate.delete(path);
    }

    @Override
    public boolean listsRecursivelyInOneRequest() {
      return false;
    }
  }
}
