package dev.kindling.core.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.core.error.KindlingException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the SHA-256 of an app directory's files between loads, so that deploying an unchanged
 * (or slightly changed) app does not read every byte again. The same idea as Git's index: a file
 * whose size, modification time, change time and file identity (device and inode) are all as they
 * were when it was hashed keeps its hash; anything else is read and hashed again.
 *
 * <p>Safety rules:
 *
 * <ul>
 *   <li>An entry is trusted only when the file had not been modified for {@link #RACY_WINDOW}
 *       before it was hashed, so that a change made within one time-stamp tick of the hashing (on a
 *       file system with coarse time stamps) is never missed. Such "racily clean" files are hashed
 *       again on every load until they settle.
 *   <li>The change time (set by the kernel on every write, rename or {@code touch}, and not
 *       settable by tools that restore modification times, such as {@code tar} or {@code rsync -t})
 *       is compared where the file system reports it ({@code unix:ctime}).
 *   <li>Every byte that is uploaded is hashed again while it streams and checked against the
 *       expected hash ({@code ReleasePublisher}), so a stale entry can never put wrong bytes under
 *       a content address; it could only make a deploy reference a blob with the old content that
 *       is stored already, which the rules above prevent.
 *   <li>The index is a small JSON file per app directory, written atomically (temporary file and
 *       rename); a missing, unreadable or corrupt index is ignored and rebuilt.
 * </ul>
 *
 * <p>Where: {@code $KINDLING_CACHE_DIR}, else {@code $XDG_CACHE_HOME/kindling}, else {@code
 * ~/.cache/kindling}, under {@code hashes/} (the system property {@code kindling.cacheDir} wins
 * over all three). {@code KINDLING_HASH_CACHE=off} (or {@code -Dkindling.hashCache=off}) turns it
 * off; so does {@link LoadOptions#withHashCache(HashCache)
 * LoadOptions.withHashCache(HashCache.disabled())}. Archives ({@code .kda}) are never cached: they
 * are extracted afresh on every load.
 */
public final class HashCache {
  private static final Logger LOG = LoggerFactory.getLogger(HashCache.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 1;

  /** How long a file must have been left alone before it was hashed for its entry to be trusted. */
  public static final Duration RACY_WINDOW = Duration.ofSeconds(2);

  /** How many index files (one per app directory) are kept; the least recently used go first. */
  static final int MAX_INDEXES = 256;

  private static final HashCache DISABLED = new HashCache(null, Clock.systemUTC());

  private final Path dir;
  private final Clock clock;

  private HashCache(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** A cache that remembers nothing: every load hashes every file. */
  public static HashCache disabled() {
    return DISABLED;
  }

  /** A cache whose index files live in {@code dir} (created when first written). */
  public static HashCache at(Path dir) {
    return at(dir, Clock.systemUTC());
  }

  /** As {@link #at(Path)}, with the clock that dates hashes (tests). */
  public static HashCache at(Path dir, Clock clock) {
    return new HashCache(
        Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize(),
        Objects.requireNonNull(clock, "clock"));
  }

  /**
   * The cache in the user's cache directory, or {@link #disabled()} when {@code
   * KINDLING_HASH_CACHE} is {@code off}, {@code false} or {@code 0}, or there is no home directory.
   */
  public static HashCache defaultCache() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    // System properties win over the environment (benchmarks and embedding applications).
    String flag = System.getProperty("kindling.hashCache");
    if (flag != null) {
      env.put("KINDLING_HASH_CACHE", flag);
    }
    String dir = System.getProperty("kindling.cacheDir");
    if (dir != null) {
      env.put("KINDLING_CACHE_DIR", dir);
    }
    return fromEnvironment(env, System.getProperty("user.home"));
  }

  static HashCache fromEnvironment(Map<String, String> env, String home) {
    String flag = env.getOrDefault("KINDLING_HASH_CACHE", "").trim().toLowerCase(Locale.ROOT);
    if (flag.equals("off") || flag.equals("false") || flag.equals("0")) {
      return DISABLED;
    }
    String explicit = env.get("KINDLING_CACHE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return at(Path.of(explicit.trim(), "hashes"));
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg.trim()).isAbsolute()) {
      return at(Path.of(xdg.trim(), "kindling", "hashes"));
    }
    if (home == null || home.isBlank() || home.equals("?")) {
      return DISABLED;
    }
    return at(Path.of(home, ".cache", "kindling", "hashes"));
  }

  /** True when this cache remembers anything. */
  public boolean enabled() {
    return dir != null;
  }

  /** Where the index files live, if enabled. */
  public Optional<Path> directory() {
    return Optional.ofNullable(dir);
  }

  /** The index of one app directory, read now; {@link Index#save()} writes it back. */
  Index open(Path appRoot) {
    if (dir == null) {
      return new Index(null, appRoot.toString(), new ConcurrentHashMap<>(), clock);
    }
    String root = appRoot.toString();
    Path file =
        dir.resolve(sha256Hex(root.getBytes(StandardCharsets.UTF_8)).substring(0, 32) + ".json");
    Map<String, Entry> entries = new ConcurrentHashMap<>();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        JsonNode node = JSON.readTree(in);
        if (node != null
            && node.path("format").asInt() == FORMAT
            && root.equals(node.path("root").asText())) {
          for (Map.Entry<String, JsonNode> e : node.path("files").properties()) {
            Entry entry = Entry.fromJson(e.getValue());
            if (entry != null) {
              entries.put(e.getKey(), entry);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("ignoring the unreadable hash index {}: {}", file, e.toString());
        entries.clear();
      }
    }
    return new Index(file, root, entries, clock);
  }

  /** What identifies a file's current content without reading it. */
  record Stat(long size, long mtimeNanos, long ctimeNanos, String key) {
    static Stat of(Path file) throws IOException {
      BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class);
      long ctime = -1;
      String key = basic.fileKey() == null ? "" : basic.fileKey().toString();
      try {
        Map<String, Object> unix = Files.readAttributes(file, "unix:ctime,dev,ino");
        Object c = unix.get("ctime");
        if (c instanceof FileTime t) {
          ctime = nanos(t);
        }
        key = unix.get("dev") + ":" + unix.get("ino");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        // no unix view (Windows): size, modification time and the file key must do
      }
      return new Stat(basic.size(), nanos(basic.lastModifiedTime()), ctime, key);
    }

    private static long nanos(FileTime t) {
      return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** One remembered hash: the file's stat when it was hashed, when that was, and the hash. */
  record Entry(Stat stat, long hashedAtMillis, String sha256) {
    JsonNode toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.put("size", stat.size());
      n.put("mtime_ns", stat.mtimeNanos());
      n.put("ctime_ns", stat.ctimeNanos());
      n.put("key", stat.key());
      n.put("hashed_at_ms", hashedAtMillis);
      n.put("sha256", sha256);
      return n;
    }

    static Entry fromJson(JsonNode n) {
      String sha = n.path("sha256").asText("");
      if (!sha.matches("[0-9a-f]{64}") || !n.has("size") || !n.has("mtime_ns")) {
        return null;
      }
      return new Entry(
          new Stat(
              n.path("size").asLong(),
              n.path("mtime_ns").asLong(),
              n.path("ctime_ns").asLong(-1),
              n.path("key").asText("")),
          n.path("hashed_at_ms").asLong(),
          sha);
    }
  }

  /** The remembered hashes of one app directory. Thread-safe for {@link #file}. */
  static final class Index {
    private final Path file;
    private final String root;
    private final Map<String, Entry> entries;
    private final Map<String, Entry> seen = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile boolean changed;
    private final java.util.concurrent.atomic.AtomicInteger hits =
        new java.util.concurrent.atomic.AtomicInteger();

    private Index(Path file, String root, Map<String, Entry> entries, Clock clock) {
      this.file = file;
      this.root = root;
      this.entries = entries;
      this.clock = clock;
    }

    /**
     * The app file at {@code path} read from {@code source}: from the index when the file is as it
     * was when hashed, else hashed now (and remembered).
     */
    AppFile file(String path, Path source) throws IOException {
      Stat before = Stat.of(source);
      Optional<AppFile> hit = cached(path, source, before);
      if (hit.isPresent()) {
        return hit.get();
      }
      long hashedAt = clock.millis();
      AppFile hashed = AppFile.of(path, source);
      Stat after = Stat.of(source);
      if (hashed.size() != before.size()) {
        return hashed; // written to while read: not remembered, and its upload hashes it again
      }
      AppFile.Hashed h = remember(path, before, after, hashedAt, hashed.sha256());
      return new AppFile(path, hashed.size(), h.sha256(), source, h.settledStat());
    }

    private static InputStream stoppable(InputStream in, BooleanSupplier stopped) {
      return new FilterInputStream(in) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (stopped.getAsBoolean()) {
            throw new CancellationException("hashing stopped: the app was closed");
          }
          return super.read(b, off, len);
        }
      };
    }

    /**
     * Remembers a file's hash when its stat did not change while it was read ({@code before},
     * {@code after}); the result carries the stat when the file had also settled by then, which
     * proves the content until the file changes, so that uploads need not hash it again.
     */
    private AppFile.Hashed remember(
        String path, Stat before, Stat after, long hashedAt, String sha256) {
      if (!after.equals(before)) {
        return new AppFile.Hashed(sha256, null);
      }
      Entry entry = new Entry(before, hashedAt, sha256);
      if (file != null) {
        seen.put(path, entry);
        changed = true;
      }
      return new AppFile.Hashed(sha256, settled(entry) ? before : null);
    }

    /**
     * The app file at {@code path} from the index when {@code source} is as it was when hashed,
     * else empty; {@code before} is the source's stat, taken now.
     */
    Optional<AppFile> cached(String path, Path source, Stat before) {
      Entry known = file == null ? null : entries.get(path);
      if (known != null && known.stat().equals(before) && settled(known)) {
        seen.put(path, known);
        hits.incrementAndGet();
        return Optional.of(new AppFile(path, before.size(), known.sha256(), source, before));
      }
      return Optional.empty();
    }

    /**
     * Hashes {@code source}, whose stat was {@code before}, and remembers the hash: what a
     * background hash of an app file computes. Fails with a {@link KindlingException} naming the
     * file when it cannot be read or no longer has the size it had ({@code before}'s), and with a
     * {@link CancellationException} when {@code stopped} turns true while it reads.
     */
    AppFile.Hashed hash(String path, Path source, Stat before, BooleanSupplier stopped) {
      long hashedAt = clock.millis();
      AppFile.Digest d;
      Stat after;
      try (InputStream in = stoppable(Files.newInputStream(source), stopped)) {
        d = AppFile.digest(in);
        after = Stat.of(source);
      } catch (IOException e) {
        throw new KindlingException(
            PathNames.printable(path)
                + " could not be read: "
                + e
                + "; check the file's permissions and deploy again",
            e);
      }
      if (d.size() != before.size()) {
        throw new KindlingException(
            PathNames.printable(path)
                + " changed while it was being hashed (it had "
                + before.size()
                + " bytes, then "
                + d.size()
                + "); deploy again once it is written");
      }
      return remember(path, before, after, hashedAt, d.sha256());
    }

    /** True when the file was left alone for the racy window before it was hashed. */
    private static boolean settled(Entry e) {
      long mtimeMillis = e.stat().mtimeNanos() / 1_000_000L;
      long ctimeMillis =
          e.stat().ctimeNanos() < 0 ? mtimeMillis : e.stat().ctimeNanos() / 1_000_000L;
      long cutoff = e.hashedAtMillis() - RACY_WINDOW.toMillis();
      return mtimeMillis < cutoff && ctimeMillis < cutoff;
    }

    /** How many files were taken from the index in this load. */
    int hits() {
      return hits.get();
    }

    /**
     * Writes the index back when anything changed: the files seen in this load, nothing else (so
     * deleted files are forgotten). Failures are logged and ignored; the cache is only an
     * optimisation.
     */
    void save() {
      if (file == null || (!changed && seen.size() == entries.size())) {
        return;
      }
      ObjectNode out = JSON.createObjectNode();
      out.put("format", FORMAT);
      out.put("root", root);
      ObjectNode files = out.putObject("files");
      seen.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> files.set(e.getKey(), e.getValue().toJson()));
      Path parent = file.getParent();
      Path temp = parent.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.createDirectories(parent);
        Files.write(temp, JSON.writeValueAsBytes(out));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        prune(parent, file);
      } catch (IOException | UncheckedIOException e) {
        LOG.debug("could not write the hash index {}: {}", file, e.toString());
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // nothing more to do
        }
      }
    }

    /** Keeps at most {@link #MAX_INDEXES} index files, deleting the least recently written. */
    private static void prune(Path dir, Path keep) throws IOException {
      List<Path> all = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
        s.forEach(all::add);
      }
      if (all.size() <= MAX_INDEXES) {
        return;
      }
      all.sort(Comparator.comparing(HashCache::modifiedOrEpoch));
      for (Path p : all.subList(0, all.size() - MAX_INDEXES)) {
        if (!p.equals(keep)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static FileTime modifiedOrEpoch(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static String sha256Hex(byte[] bytes) {
    MessageDigest md = AppFile.newSha256();
    return HexFormat.of().formatHex(md.digest(bytes));
  }

  @Override
  public String toString() {
    return dir == null ? "HashCache{disabled}" : "HashCache{" + dir + "}";
  }
}
