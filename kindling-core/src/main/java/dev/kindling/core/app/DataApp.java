package dev.kindling.core.app;

import dev.kindling.core.error.Problem;
import dev.kindling.core.error.Problems;
import dev.kindling.core.error.ValidationException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data app loaded from a directory or a {@code .kda} archive: its {@linkplain #manifest()
 * manifest} and the {@linkplain #files() files} to deploy, each with its size and SHA-256.
 *
 * <p>Loading validates the whole app and throws one {@link ValidationException} listing every
 * problem: a missing or invalid {@code app.yaml}, an entry point or jar that is not among the
 * selected files, no files selected, symlinks pointing outside the app, and, for archives, every
 * unsafe entry (see {@link KdaArchive}). Files are selected by {@link FileSelection} and hashed
 * while streaming; their content is never held in memory.
 *
 * <p>In a directory, symlinked directories are never followed; a selected file that is a symlink is
 * deployed with the content it points to when that lies inside the app directory, and rejected when
 * it points outside or nowhere.
 *
 * <p>An app loaded from a {@code .kda} lives in a private temporary directory until {@link
 * #close()}; its files cannot be opened after that. Closing an app loaded from a directory does
 * nothing.
 */
public final class DataApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataApp.class);

  private static final int MAX_FILES_LISTED = 30;

  private final Path source;
  private final Path root;
  private final boolean temporary;
  private final AppManifest manifest;
  private final List<AppFile> files;
  private final Map<String, AppFile> byPath;
  private final LoadOptions options;
  private final BackgroundHashes hashing;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DataApp(
      Path source,
      Path root,
      boolean temporary,
      AppManifest manifest,
      List<AppFile> files,
      LoadOptions options,
      BackgroundHashes hashing) {
    this.hashing = hashing;
    this.source = source;
    this.root = root;
    this.temporary = temporary;
    this.manifest = manifest;
    this.files = List.copyOf(files);
    Map<String, AppFile> map = new LinkedHashMap<>();
    for (AppFile f : this.files) {
      map.put(f.path(), f);
    }
    this.byPath = map;
    this.options = options;
  }

  /**
   * Loads the app in a directory or a {@code .kda} archive with {@linkplain LoadOptions#defaults()
   * the default options}: platform {@code local}, the environment from {@code KINDLING_ENV}.
   *
   * @throws ValidationException listing every problem of the app
   */
  public static DataApp load(Path dirOrKda) {
    return load(dirOrKda, LoadOptions.defaults());
  }

  /**
   * Loads the app in a directory or a {@code .kda} archive.
   *
   * <p>A directory must have an {@code app.yaml}. An archive may have an {@code app.yaml}, else its
   * {@code kda-manifest.json} describes the app, else the app is named after the archive file
   * (without {@code .kda}) and all other settings are defaults.
   *
   * @param dirOrKda an app directory or a {@code .kda} file
   * @param options the platform and environment the files are selected for, and the archive limits
   * @throws ValidationException listing every problem of the app
   */
  public static DataApp load(Path dirOrKda, LoadOptions options) {
    return load(dirOrKda, options, null);
  }

  /** As {@link #load(Path, LoadOptions)}, extracting archives under {@code tempParent}. */
  static DataApp load(Path dirOrKda, LoadOptions options, Path tempParent) {
    Objects.requireNonNull(dirOrKda, "dirOrKda");
    Objects.requireNonNull(options, "options");
    Path path = dirOrKda.toAbsolutePath().normalize();
    if (Files.isDirectory(path)) {
      return loadDirectory(path, options);
    }
    if (Files.isRegularFile(path)) {
      String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
      if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
        throw new ValidationException(
            Problem.of(
                path.toString(),
                "is a YAML file, not an app",
                "pass the app directory that contains app.yaml, or a .kda archive"));
      }
      return loadArchive(path, options, tempParent);
    }
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new ValidationException(
          Problem.of(
              path.toString(),
              "does not exist",
              "pass an app directory with an app.yaml, or a .kda archive"));
    }
    throw new ValidationException(
        Problem.of(
            path.toString(),
            "is neither a directory nor a regular file",
            "pass an app directory with an app.yaml, or a .kda archive"));
  }

  private static DataApp loadDirectory(Path dir, LoadOptions options) {
    Path root = realPath(dir);
    String defaultName = root.getFileName() == null ? "app" : root.getFileName().toString();
    Problems problems = new Problems();
    Path appYaml = root.resolve(ManifestReader.APP_YAML);
    ManifestReader.Result result;
    boolean described = true;
    if (Files.isRegularFile(appYaml, LinkOption.NOFOLLOW_LINKS)) {
      result = AppManifests.parse(appYaml, defaultName, "the directory name", problems);
    } else if (Files.isSymbolicLink(appYaml)) {
      problems.add(
          ManifestReader.APP_YAML,
          "is a symbolic link; app.yaml must be a regular file in the app directory",
          "replace the link with the file");
      result = invalid(defaultName);
      described = false;
    } else {
      problems.add(
          ManifestReader.APP_YAML,
          Files.exists(appYaml) ? "is not a regular file" : "is missing in " + root,
          "add an app.yaml with at least `name:`, e.g. `name: "
              + ManifestReader.sanitizedName(defaultName)
              + "`");
      result = invalid(defaultName);
      described = false;
    }
    HashCache.Index index = options.hashCache().open(root);
    BackgroundHashes hashing = new BackgroundHashes(index);
    List<AppFile> files =
        select(
            root,
            root.toString(),
            result,
            ManifestReader.APP_YAML,
            described,
            options,
            index,
            hashing,
            problems);
    problems.throwIfAny();
    hashing.start(); // after every check: an app with problems is not hashed in the background
    if (index.hits() > 0) {
      LOG.debug(
          "{} of {} file hashes of {} taken from the hash cache", index.hits(), files.size(), root);
    }
    DataApp app = new DataApp(dir, root, false, result.manifest(), files, options, hashing);
    LOG.debug("loaded {}", app);
    return app;
  }

  private static DataApp loadArchive(Path archive, LoadOptions options, Path tempParent) {
    String fileName = archive.getFileName().toString();
    String archiveName = stripKda(fileName);
    KdaReader.Extracted extracted = KdaReader.extract(archive, options.limits(), tempParent);
    try {
      Path root = realPath(extracted.dir());
      Problems problems = new Problems();
      Path appYaml = root.resolve(ManifestReader.APP_YAML);
      ManifestReader.Result result;
      String label;
      if (Files.isRegularFile(appYaml, LinkOption.NOFOLLOW_LINKS)) {
        String defaultName =
            extracted
                .manifestJson()
                .map(json -> nameFromKdaManifest(json, archiveName))
                .orElse(archiveName);
        result = AppManifests.parse(appYaml, defaultName, "the archive's name", problems);
        label = ManifestReader.APP_YAML;
      } else if (extracted.manifestJson().isPresent()) {
        result =
            AppManifests.parseKdaManifest(
                extracted.manifestJson().get(), archiveName, "the archive's name", problems);
        label = FileSelection.KDA_MANIFEST;
      } else {
        if (!ManifestReader.isSafeName(archiveName)) {
          problems.add(
              fileName,
              "has neither app.yaml nor kda-manifest.json, so the app is named after the file,"
                  + " and '"
                  + PathNames.printable(archiveName)
                  + "' is not a valid app name: "
                  + ManifestReader.nameRule(),
              "rename the archive to "
                  + ManifestReader.sanitizedName(archiveName)
                  + ".kda, or add an app.yaml with `name:`");
        }
        result =
            new ManifestReader.Result(
                ManifestReader.defaults(ManifestReader.sanitizedName(archiveName)), Set.of());
        label = fileName;
      }
      HashCache.Index index = HashCache.disabled().open(root);
      BackgroundHashes hashing = new BackgroundHashes(index);
      List<AppFile> files =
          select(root, fileName, result, label, true, options, index, hashing, problems);
      problems.throwIfAny();
      hashing.start();
      DataApp app = new DataApp(archive, root, true, result.manifest(), files, options, hashing);
      LOG.debug("loaded {} (extracted into {})", app, root);
      return app;
    } catch (RuntimeException | Error e) {
      KdaReader.deleteTree(extracted.dir());
      throw e;
    }
  }

  private static String nameFromKdaManifest(byte[] json, String fallback) {
    ManifestReader.Result r =
        AppManifests.parseKdaManifest(json, fallback, "the archive's name", new Problems());
    return r.ok("name") ? r.manifest().name() : fallback;
  }

  private static String stripKda(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(".kda") && fileName.length() > 4
        ? fileName.substring(0, fileName.length() - 4)
        : fileName;
  }

  private static ManifestReader.Result invalid(String defaultName) {
    return new ManifestReader.Result(
        ManifestReader.defaults(ManifestReader.sanitizedName(defaultName)),
        Set.copyOf(ManifestReader.APP_YAML_KEYS));
  }

  private static Path realPath(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new ValidationException(
          Problem.of(dir.toString(), "cannot be read: " + e, "check its permissions"));
    }
  }

  /** A regular file or symlink found in the app directory. */
  private record Candidate(String path, Path file, boolean symlink) {}

  /**
   * Selects and hashes the app's files, and checks the entry point and jars against them.
   *
   * @param rootLabel how to name the app in problems
   * @param label where the manifest came from, for problem locations
   * @param checkManifest whether to check the entry point and jars (false when there is no manifest
   *     to check)
   */
  private static List<AppFile> select(
      Path root,
      String rootLabel,
      ManifestReader.Result result,
      String label,
      boolean checkManifest,
      LoadOptions options,
      HashCache.Index index,
      BackgroundHashes background,
      Problems problems) {
    AppManifest manifest = result.manifest();
    FileSelection selection = FileSelection.of(manifest.include(), manifest.exclude());
    List<Candidate> candidates = walk(root, problems);
    candidates.sort(Comparator.comparing(Candidate::path));
    List<AppFile> files = new ArrayList<>();
    List<Candidate> toHash = new ArrayList<>();
    Map<String, String> keys = new HashMap<>();
    for (Candidate c : candidates) {
      if (!selection.selects(c.path(), options.platform(), options.environment())) {
        continue;
      }
      String shown = PathNames.printable(c.path());
      Optional<String> unsafe = PathNames.unsafeReason(c.path());
      if (unsafe.isPresent()) {
        problems.add(
            shown,
            "the file name cannot be deployed: " + unsafe.get(),
            "rename the file, or exclude it with an `exclude:` glob in app.yaml");
        continue;
      }
      if (c.symlink() && !linkStaysInside(root, c, shown, problems)) {
        continue;
      }
      String other = keys.putIfAbsent(PathNames.collisionKey(c.path()), c.path());
      if (other != null) {
        problems.add(
            shown,
            "differs from '" + PathNames.printable(other) + "' only in letter case or Unicode form",
            "rename one of them; they would overwrite each other on Windows and macOS");
        continue;
      }
      toHash.add(c);
    }
    // Hash on up to one thread per core (each file is still read once, streaming); results and
    // problems are taken in path order, so the outcome does not depend on the threads.
    List<CompletableFuture<AppFile>> hashed =
        options.backgroundHashing() ? background.plan(toHash) : hashAll(toHash, index);
    for (int i = 0; i < toHash.size(); i++) {
      Candidate c = toHash.get(i);
      try {
        files.add(hashed.get(i).join());
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (!(cause instanceof IOException)) {
          throw e;
        }
        problems.add(
            PathNames.printable(c.path()),
            "cannot be read: " + cause,
            "check the file's permissions");
      }
    }
    if (files.isEmpty()) {
      problems.add(
          rootLabel,
          "has no files to deploy",
          "an app deploys its .py, .yaml, .yml, .sql, .whl and .jar files, requirements.txt and"
              + " lake-reqs.txt; add `include:` globs in app.yaml for other files");
      return files;
    }
    if (checkManifest) {
      checkManifestPaths(root, result, label, files, problems);
    }
    return files;
  }

  /** Hashes the candidates in parallel on a short-lived pool of at most one thread per core. */
  private static List<CompletableFuture<AppFile>> hashAll(
      List<Candidate> candidates, HashCache.Index index) {
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), candidates.size());
    if (threads <= 1) {
      return candidates.stream().map(c -> hashNow(c, index)).toList();
    }
    ExecutorService pool = hashPool(threads);
    try {
      List<CompletableFuture<AppFile>> out = new ArrayList<>();
      for (Candidate c : candidates) {
        out.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return index.file(c.path(), c.file());
                  } catch (IOException e) {
                    throw new CompletionException(e);
                  }
                },
                pool));
      }
      CompletableFuture.allOf(out.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
      return out;
    } finally {
      pool.shutdown();
    }
  }

  /** A pool of {@code threads} daemon threads named {@code kindling-hash}. */
  private static ExecutorService hashPool(int threads) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "kindling-hash");
          t.setDaemon(true);
          return t;
        });
  }

  private static CompletableFuture<AppFile> hashNow(Candidate c, HashCache.Index index) {
    try {
      return CompletableFuture.completedFuture(index.file(c.path(), c.file()));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The files of one load that are hashed after it returns ({@link
   * LoadOptions#withBackgroundHashing(boolean)}): {@link #plan} gives each such file its {@link
   * AppFile} at once (from the hash cache, or with its size from its stat and its hash to come),
   * {@link #start} hashes the others on one thread per core, smallest first (so that uploads can
   * start on the many small files while the large ones are read), and saves the hash cache when all
   * are done; {@link #stop} leaves files not started unhashed and waits for those being read.
   */
  private static final class BackgroundHashes {
    private final HashCache.Index index;
    private final List<Pending> pending = new ArrayList<>();
    private volatile boolean stopped;
    private CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

    private record Pending(
        String path, Path file, HashCache.Stat before, CompletableFuture<AppFile.Hashed> hash) {}

    BackgroundHashes(HashCache.Index index) {
      this.index = index;
    }

    /**
     * Each candidate's app file: from the hash cache when it knows the file, else one to be hashed
     * by {@link #start}. A file that cannot be stat'ed or opened fails its future with the {@link
     * IOException}, which {@code select} reports as a problem of the app.
     */
    List<CompletableFuture<AppFile>> plan(List<Candidate> candidates) {
      List<CompletableFuture<AppFile>> out = new ArrayList<>();
      for (Candidate c : candidates) {
        try {
          HashCache.Stat before = HashCache.Stat.of(c.file());
          Optional<AppFile> known = index.cached(c.path(), c.file(), before);
          if (known.isPresent()) {
            out.add(CompletableFuture.completedFuture(known.get()));
            continue;
          }
          Files.newInputStream(c.file()).close(); // unreadable: a problem of the load, not later
          CompletableFuture<AppFile.Hashed> hash = new CompletableFuture<>();
          pending.add(new Pending(c.path(), c.file(), before, hash));
          out.add(
              CompletableFuture.completedFuture(
                  new AppFile(c.path(), before.size(), c.file(), hash)));
        } catch (IOException e) {
          out.add(CompletableFuture.failedFuture(e));
        }
      }
      return out;
    }

    /** Starts hashing the planned files; saves the hash cache once every one is hashed. */
    void start() {
      if (pending.isEmpty()) {
        index.save();
        return;
      }
      List<Pending> order = new ArrayList<>(pending);
      order.sort(Comparator.comparingLong((Pending p) -> p.before().size()));
      ExecutorService pool =
          hashPool(Math.min(Runtime.getRuntime().availableProcessors(), order.size()));
      try {
        for (Pending p : order) {
          pool.execute(() -> hashOne(p));
        }
      } finally {
        pool.shutdown(); // the queued files are still hashed
      }
      done =
          CompletableFuture.allOf(
                  order.stream().map(Pending::hash).toArray(CompletableFuture[]::new))
              .handle((v, e) -> null)
              .thenRun(index::save);
    }

    private void hashOne(Pending p) {
      if (stopped) {
        p.hash().completeExceptionally(new CancellationException("the app was closed"));
        return;
      }
      try {
        p.hash().complete(index.hash(p.path(), p.file(), p.before(), () -> stopped));
      } catch (RuntimeException | Error e) {
        p.hash().completeExceptionally(e);
      }
    }

    /**
     * Stops hashing (a file being read stops at its next 64 KiB; its hash and the unstarted ones
     * fail with a {@link CancellationException}) and waits for the threads and the cache's save.
     */
    void stop() {
      stopped = true;
      done.join();
    }
  }

  private static boolean linkStaysInside(Path root, Candidate c, String shown, Problems problems) {
    Path target;
    try {
      target = c.file().toRealPath();
    } catch (IOException e) {
      problems.add(
          shown,
          "is a symbolic link to a file that does not exist",
          "fix or remove the link, or exclude it with an `exclude:` glob in app.yaml");
      return false;
    }
    if (!target.startsWith(root)) {
      problems.add(
          shown,
          "is a symbolic link to " + target + ", outside the app directory",
          "copy the file into the app directory instead of linking to it");
      return false;
    }
    return true;
  }

  private static void checkManifestPaths(
      Path root,
      ManifestReader.Result result,
      String label,
      List<AppFile> files,
      Problems problems) {
    AppManifest manifest = result.manifest();
    boolean selectionOk = result.ok("include") && result.ok("exclude");
    Set<String> selected = new HashSet<>();
    for (AppFile f : files) {
      selected.add(f.path());
    }
    String ep = manifest.entryPoint();
    if (selectionOk && result.ok("entry_point") && !ep.isEmpty() && !selected.contains(ep)) {
      boolean exists = existsInApp(root, ep);
      problems.add(
          label + ": entry_point",
          "'"
              + ep
              + "' is not among the selected files"
              + (exists ? " (the file exists, but the file selection leaves it out)" : "")
              + "; selected: "
              + listing(files),
          exists
              ? "add it to `include:` in app.yaml, e.g. `include: [\"" + ep + "\"]`"
              : "create "
                  + ep
                  + " or point entry_point at one of the selected files; files other than .py,"
                  + " .yaml, .yml, .sql, .whl, .jar, requirements.txt and lake-reqs.txt are"
                  + " only deployed when an `include:` glob in app.yaml matches them");
    }
    if (selectionOk && result.ok("jars")) {
      for (String jar : manifest.jars()) {
        if (!selected.contains(jar)) {
          boolean exists = existsInApp(root, jar);
          problems.add(
              label + ": jars",
              "'"
                  + jar
                  + "' is not among the selected files"
                  + (exists ? " (the file exists, but an exclude glob leaves it out)" : ""),
              exists
                  ? "remove it from `exclude:` or from jars"
                  : "add the jar to the app directory or remove it from jars");
        }
      }
    }
  }

  private static boolean existsInApp(Path root, String path) {
    try {
      return Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static String listing(List<AppFile> files) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < files.size() && i < MAX_FILES_LISTED; i++) {
      sb.append(i == 0 ? "" : ", ").append(PathNames.printable(files.get(i).path()));
    }
    if (files.size() > MAX_FILES_LISTED) {
      sb.append(", ... and ").append(files.size() - MAX_FILES_LISTED).append(" more");
    }
    return sb.toString();
  }

  /**
   * Every regular file and symlink under {@code root}, not descending into skipped directories and
   * never following symlinked directories.
   */
  private static List<Candidate> walk(Path root, Problems problems) {
    List<Candidate> out = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(root)
                  && FileSelection.isSkippedDirectory(dir.getFileName().toString())) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String rel = PathNames.posix(root.relativize(file));
              if (attrs.isSymbolicLink()) {
                if (Files.isDirectory(file)) {
                  LOG.debug("not following the symlinked directory {}", file);
                } else {
                  out.add(new Candidate(rel, file, true));
                }
              } else if (attrs.isRegularFile()) {
                out.add(new Candidate(rel, file, false));
              } else {
                LOG.debug("skipping {}: not a regular file", file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              problems.add(
                  PathNames.printable(PathNames.posix(root.relativize(file))),
                  "cannot be read: " + exc,
                  "fix its permissions, or move it out of the app directory");
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      problems.add(root.toString(), "cannot be read: " + e, "check its permissions");
    }
    return out;
  }

  /** The app's name, from its manifest. */
  public String name() {
    return manifest.name();
  }

  /** The app's manifest. */
  public AppManifest manifest() {
    return manifest;
  }

  /** The files to deploy, sorted by path. */
  public List<AppFile> files() {
    return files;
  }

  /** The file at {@code path} (relative, {@code /}-separated), if it is deployed. */
  public Optional<AppFile> file(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  /** The total size of the files to deploy, in bytes. */
  public long totalBytes() {
    return files.stream().mapToLong(AppFile::size).sum();
  }

  /**
   * The directory the files are in: the app directory (its real path), or for a {@code .kda} the
   * private temporary directory the archive was extracted into.
   */
  public Path root() {
    return root;
  }

  /** The directory or archive the app was loaded from, as an absolute path. */
  public Path source() {
    return source;
  }

  /** Whether the app was loaded from a {@code .kda} archive. */
  public boolean isArchive() {
    return temporary;
  }

  /** The options the app was loaded with. */
  public LoadOptions options() {
    return options;
  }

  /**
   * Deletes the temporary directory of an app loaded from a {@code .kda}; does nothing for an app
   * loaded from a directory. Idempotent.
   */
  @Override
  public void close() {
    hashing.stop();
    if (temporary && closed.compareAndSet(false, true)) {
      KdaReader.deleteTree(root);
      LOG.debug("deleted {}", root);
    }
  }

  @Override
  public String toString() {
    return "DataApp["
        + manifest.name()
        + " "
        + manifest.version()
        + " from "
        + source
        + ", "
        + files.size()
        + " files]";
  }
}
