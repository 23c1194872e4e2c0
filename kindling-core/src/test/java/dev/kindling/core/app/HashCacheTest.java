package dev.kindling.core.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.error.KindlingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashCacheTest {
  @TempDir Path tmp;
  Path app;
  Path cacheDir;

  @BeforeEach
  void setUp() throws IOException {
    app = Files.createDirectories(tmp.resolve("app"));
    cacheDir = tmp.resolve("cache");
    Files.writeString(app.resolve("app.yaml"), "name: cached\nentry_point: main.py\n");
    Files.writeString(app.resolve("main.py"), "print('one')\n");
    Files.writeString(app.resolve("util.py"), "X = 1\n");
  }

  /** A clock an hour after now: every file written by the test has settled by then. */
  private static Clock later() {
    return Clock.fixed(Instant.now().plusSeconds(3600), ZoneOffset.UTC);
  }

  private HashCache.Index load(HashCache cache) throws IOException {
    Path root = app.toRealPath();
    HashCache.Index index = cache.open(root);
    try (Stream<Path> files = Files.list(root)) {
      for (Path f : files.sorted().toList()) {
        index.file(f.getFileName().toString(), f);
      }
    }
    index.save();
    return index;
  }

  @Test
  void aSecondLoadOfAnUnchangedAppReadsNoFileAgain() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());

    assertThat(load(cache).hits()).isZero();
    assertThat(load(cache).hits()).isEqualTo(3);
    try (Stream<Path> indexes = Files.list(cacheDir)) {
      assertThat(indexes.toList()).hasSize(1);
    }
  }

  @Test
  void theHashesFromTheCacheAreTheFilesHashes() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    DataApp first = DataApp.load(app, LoadOptions.defaults().withHashCache(HashCache.disabled()));
    DataApp.load(app, LoadOptions.defaults().withHashCache(cache));
    DataApp cached = DataApp.load(app, LoadOptions.defaults().withHashCache(cache));

    assertThat(cached.files()).containsExactlyElementsOf(first.files());
    assertThat(load(cache).hits()).isEqualTo(3);
  }

  @Test
  void aFileRewrittenWithTheSameSizeAndModificationTimeIsHashedAgain() throws IOException {
    Path main = app.resolve("main.py");
    FileTime mtime = Files.getLastModifiedTime(main);
    HashCache cache = HashCache.at(cacheDir, later());
    load(cache);

    // Same size, and the modification time put back, as `tar x` or `rsync -t` would.
    Files.writeString(main, "print('two')\n");
    Files.setLastModifiedTime(main, mtime);

    DataApp reloaded = DataApp.load(app, LoadOptions.defaults().withHashCache(cache));
    AppFile expected = AppFile.of("main.py", main);
    assertThat(reloaded.file("main.py")).contains(expected);
  }

  @Test
  void aFileWithANewModificationTimeIsHashedAgain() throws IOException {
    Path util = app.resolve("util.py");
    HashCache cache = HashCache.at(cacheDir, later());
    load(cache);

    Files.writeString(util, "X = 2\n");
    Files.setLastModifiedTime(util, FileTime.from(Instant.now().minusSeconds(7200)));

    HashCache.Index again = load(cache);
    assertThat(again.hits()).isEqualTo(2);
    DataApp reloaded = DataApp.load(app, LoadOptions.defaults().withHashCache(cache));
    assertThat(reloaded.file("util.py")).contains(AppFile.of("util.py", util));
  }

  @Test
  void aSettledFileIsProvablyUnchangedUntilItIsWrittenAgain() throws IOException {
    Path main = app.resolve("main.py");
    FileTime mtime = Files.getLastModifiedTime(main);
    HashCache cache = HashCache.at(cacheDir, later());
    Path root = app.toRealPath();

    AppFile hashed = cache.open(root).file("main.py", root.resolve("main.py"));
    HashCache.Index index = load(cache);
    AppFile cached = index.file("main.py", root.resolve("main.py"));

    assertThat(hashed.provablyUnchanged()).isTrue();
    assertThat(cached.provablyUnchanged()).isTrue();
    // the same size and modification time put back: the change time and the upload check see it
    Files.writeString(main, "print('two')\n");
    Files.setLastModifiedTime(main, mtime);
    assertThat(hashed.provablyUnchanged()).isFalse();
    assertThat(cached.provablyUnchanged()).isFalse();
    Files.delete(main);
    assertThat(cached.provablyUnchanged()).isFalse();
  }

  @Test
  void aRacyFileIsNotProvablyUnchangedSoItsUploadHashesItAgain() throws IOException {
    Path root = app.toRealPath();
    HashCache racy = HashCache.at(cacheDir, Clock.fixed(Instant.now(), ZoneOffset.UTC));
    assertThat(racy.open(root).file("main.py", root.resolve("main.py")).provablyUnchanged())
        .isFalse();
    assertThat(new AppFile("main.py", 13, "0".repeat(64), root.resolve("main.py")))
        .matches(f -> !f.provablyUnchanged(), "a file with a hash from elsewhere is not proven");
  }

  @Test
  void aFileModifiedJustBeforeItWasHashedIsNotTrusted() throws IOException {
    // Hashed "now": the files were written less than the racy window before, so a change in the
    // same time-stamp tick could go unseen; their entries are not used.
    HashCache racy = HashCache.at(cacheDir, Clock.fixed(Instant.now(), ZoneOffset.UTC));
    load(racy);
    assertThat(load(racy).hits()).isZero();
  }

  @Test
  void aCorruptIndexIsIgnoredAndRewritten() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    load(cache);
    Path index;
    try (Stream<Path> files = Files.list(cacheDir)) {
      index = files.findFirst().orElseThrow();
    }
    Files.writeString(index, "{not json", StandardCharsets.UTF_8);

    assertThat(load(cache).hits()).isZero();
    assertThat(load(cache).hits()).isEqualTo(3);
  }

  @Test
  void deletedFilesAreForgotten() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    load(cache);
    Files.delete(app.resolve("util.py"));
    load(cache);

    Path index;
    try (Stream<Path> files = Files.list(cacheDir)) {
      index = files.findFirst().orElseThrow();
    }
    assertThat(Files.readString(index)).contains("main.py").doesNotContain("util.py");
  }

  @Test
  void aDisabledCacheWritesNothing() throws IOException {
    HashCache.Index index = load(HashCache.disabled());
    assertThat(index.hits()).isZero();
    assertThat(cacheDir).doesNotExist();
  }

  @Test
  void theEnvironmentChoosesTheDirectoryOrTurnsTheCacheOff() {
    assertThat(HashCache.fromEnvironment(Map.of("KINDLING_HASH_CACHE", "off"), "/home/u").enabled())
        .isFalse();
    assertThat(
            HashCache.fromEnvironment(Map.of("KINDLING_CACHE_DIR", "/tmp/kc"), "/home/u")
                .directory())
        .contains(Path.of("/tmp/kc/hashes"));
    assertThat(
            HashCache.fromEnvironment(Map.of("XDG_CACHE_HOME", "/var/cache/u"), "/home/u")
                .directory())
        .contains(Path.of("/var/cache/u/kindling/hashes"));
    assertThat(HashCache.fromEnvironment(Map.of(), "/home/u").directory())
        .contains(Path.of("/home/u/.cache/kindling/hashes"));
    assertThat(HashCache.fromEnvironment(Map.of(), null).enabled()).isFalse();
  }

  @Test
  void archivesAreNeverCached() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    Path kda = tmp.resolve("cached.kda");
    try (DataApp dir =
        DataApp.load(app, LoadOptions.defaults().withHashCache(HashCache.disabled()))) {
      KdaArchive.write(dir, kda);
    }
    try (DataApp fromKda = DataApp.load(kda, LoadOptions.defaults().withHashCache(cache))) {
      assertThat(fromKda.files()).hasSize(3);
    }
    assertThat(cacheDir).doesNotExist();
  }

  @Test
  void backgroundHashingGivesTheSameHashesAndFillsTheCacheOnceClosed() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());

    try (DataApp hashing =
        DataApp.load(
            app, LoadOptions.defaults().withHashCache(cache).withBackgroundHashing(true))) {
      hashing.files().forEach(f -> f.sha256Future().join());
    }
    // close waited for the cache's save after the last hash: the next load reads no file
    assertThat(load(cache).hits()).isEqualTo(3);

    DataApp eager = DataApp.load(app, LoadOptions.defaults().withHashCache(HashCache.disabled()));
    try (DataApp background =
        DataApp.load(
            app,
            LoadOptions.defaults()
                .withHashCache(HashCache.at(tmp.resolve("other-cache"), later()))
                .withBackgroundHashing(true))) {
      assertThat(background.files()).containsExactlyElementsOf(eager.files());
      for (AppFile f : background.files()) {
        assertThat(f.sha256Future().join()).isEqualTo(f.sha256());
        assertThat(f.provablyUnchanged()).isTrue(); // settled by the later clock
      }
    }
  }

  @Test
  void closingStopsBackgroundHashingAndEveryFileEndsHashedOrNamedAsNotHashed() throws IOException {
    for (int i = 0; i < 20; i++) {
      Files.write(app.resolve("big" + i + ".py"), new byte[256 * 1024]);
    }
    DataApp loaded =
        DataApp.load(
            app,
            LoadOptions.defaults().withHashCache(HashCache.disabled()).withBackgroundHashing(true));

    loaded.close();

    for (AppFile f : loaded.files()) {
      assertThat(f.sha256Future()).isDone();
      try {
        assertThat(f.sha256()).isEqualTo(AppFile.of(f.path(), f.source()).sha256());
      } catch (KindlingException e) {
        assertThat(e).hasMessage(f.path() + " was not hashed: the app was closed");
      }
    }
  }

  @Test
  void backgroundHashingTakesKnownHashesFromTheCacheAtOnce() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    load(cache);

    try (DataApp app2 =
        DataApp.load(
            app, LoadOptions.defaults().withHashCache(cache).withBackgroundHashing(true))) {
      assertThat(app2.files()).allMatch(f -> f.sha256Future().isDone());
    }
  }

  @Test
  void aFileThatChangesSizeBeforeItsBackgroundHashFailsWithItsName() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    Path main = app.resolve("main.py");
    HashCache.Index index = cache.open(app.toRealPath());
    HashCache.Stat before = HashCache.Stat.of(main);
    Files.writeString(main, "print('a longer line than before')\n");

    assertThatThrownBy(() -> index.hash("main.py", main, before, () -> false))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("main.py changed while it was being hashed")
        .hasMessageContaining("deploy again");
  }

  @Test
  void aFileThatCannotBeReadInTheBackgroundFailsWithItsName() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    Path main = app.resolve("main.py");
    HashCache.Index index = cache.open(app.toRealPath());
    HashCache.Stat before = HashCache.Stat.of(main);
    Files.delete(main);

    assertThatThrownBy(() -> index.hash("main.py", main, before, () -> false))
        .isInstanceOf(KindlingException.class)
        .hasMessageContaining("main.py could not be read");
  }

  @Test
  void aFileWhoseStatChangesButNotItsSizeIsHashedButNotTrusted() throws IOException {
    HashCache cache = HashCache.at(cacheDir, later());
    Path main = app.resolve("main.py");
    HashCache.Index index = cache.open(app.toRealPath());
    HashCache.Stat before = HashCache.Stat.of(main);
    Files.setLastModifiedTime(main, FileTime.from(Instant.now().minusSeconds(7200)));

    AppFile.Hashed h = index.hash("main.py", main, before, () -> false);

    assertThat(h.sha256()).isEqualTo(AppFile.of("main.py", main).sha256());
    assertThat(h.settledStat()).isNull(); // its upload hashes it again and compares
  }
}
