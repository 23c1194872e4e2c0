package dev.kindling.core.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an app's files as a release in a content-addressed {@link ArtifactStore}: when the
 * release's manifest is stored already there is nothing to do; otherwise finds the stored blobs
 * (the listing for that goes out alongside the manifest check), uploads the missing ones in
 * parallel (bounded), then writes the release manifest. Each platform calls this and then points
 * its job definition at the release; the manifest write comes after every blob is stored, and the
 * job switch after the manifest, so a failure at any step leaves the previous release runnable.
 */
public final class ReleasePublisher {
  private static final Logger log = LoggerFactory.getLogger(ReleasePublisher.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final AtomicInteger POOL = new AtomicInteger();

  /** Default number of parallel uploads (see {@link ArtifactStore#uploadConcurrency()}). */
  public static final int DEFAULT_CONCURRENCY = 8;

  /**
   * On stores that list one directory per request, at most this many blobs missing from the newest
   * release are checked one by one; more, and the blob tree is listed.
   */
  static final int MAX_EXISTENCE_CHECKS = 32;

  /** The read buffer between a file's check and the store: 64 KiB. */
  private static final int UPLOAD_READ_BUFFER = 64 * 1024;

  /** How long a failed publication waits for the uploads it stopped. */
  private static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(30);

  private final ArtifactStore store;
  private final int concurrency;
  private final Clock clock;

  /** Publishing to {@code store} with its {@link ArtifactStore#uploadConcurrency()}. */
  public ReleasePublisher(ArtifactStore store) {
    this(store, Clock.systemUTC());
  }

  /** Publishing to {@code store} with its {@link ArtifactStore#uploadConcurrency()}. */
  public ReleasePublisher(ArtifactStore store, Clock clock) {
    this(store, store.uploadConcurrency(), clock);
  }

  public ReleasePublisher(ArtifactStore store, int concurrency, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }
    this.concurrency = concurrency;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The release id {@code app} would get, without touching the store. */
  public static String releaseId(AppFiles app) {
    byte[] canonical = toJson(manifestBody(app, null));
    return sha256(canonical).substring(0, 16);
  }

  /**
   * Uploads what is missing and writes the manifest; returns the stored release. When some files
   * are still being hashed ({@link DeployFile#sha256Future()}), the stored blobs are listed while
   * they are, and each missing file is uploaded as soon as its hash is known.
   */
  public Release publish(AppFiles app) {
    if (app.files().stream().allMatch(f -> f.sha256Future().isDone())) {
      return publishHashed(app, null);
    }
    return publishWhileHashing(app);
  }

  /**
   * {@link #publish} once every file's hash is known; {@code listed} is the first listing when it
   * was already made, else null.
   */
  private Release publishHashed(AppFiles app, List<StoredFile> listed) {
    Map<String, String> blobs = blobs(app); // first: it reports a failed hash with the file
    String release = releaseId(app);
    String manifestPath = RemoteLayout.releasePath(app.appName(), release);
    // The manifest is written only after every blob it names is stored, and blobs are never
    // deleted, so an existing manifest of the same release means there is nothing to upload.
    List<StoredFile> firstListing = listed;
    if (firstListing != null) {
      if (store.exists(manifestPath)) {
        return alreadyStored(app, release, manifestPath, blobs);
      }
    } else {
      // The first listing that finding the stored blobs needs (the blob tree where one request
      // lists it, else releases/) goes out together with the manifest check: one round trip for
      // both. It is waited for either way, so that no request outlives the publication; when the
      // manifest exists, its answer (or failure) does not matter.
      try (BackgroundCall<List<StoredFile>> listing =
          BackgroundCall.start(
              "listing " + app.appName() + "'s stored files",
              () -> store.list(firstListing(app)))) {
        if (store.exists(manifestPath)) {
          return alreadyStored(app, release, manifestPath, blobs);
        }
        firstListing = listing.join();
      }
    }
    Set<String> stored = storedBlobs(app, blobs, firstListing);
    List<DeployFile> missing = new ArrayList<>();
    Set<String> planned = new HashSet<>();
    for (DeployFile f : app.files()) {
      if (toUpload(stored, planned, blobs.get(f.path()), f.size())) {
        missing.add(f);
      }
    }
    long bytes = plan(app, missing);
    uploadAll(app, missing, blobs);
    return published(app, blobs, release, manifestPath, missing, bytes);
  }

  /**
   * {@link #publish} while files are being hashed: the first listing goes out at once; where it
   * tells which blobs are stored (a blob tree listed in one request, or a store that has no release
   * of the app yet, whose blob tree is then listed), each file missing from it is uploaded as soon
   * as its hash is known, largest ready file first; otherwise the stored blobs are found as {@link
   * #publishHashed} finds them, once every hash is known. No manifest is checked before uploading:
   * a release whose blob is missing has none (manifests are written after their blobs).
   */
  private Release publishWhileHashing(AppFiles app) {
    List<StoredFile> firstListing = store.list(firstListing(app));
    if (!store.listsRecursivelyInOneRequest() && newestRelease(firstListing).isPresent()) {
      // A store with releases that lists one directory per request: which blobs are stored takes
      // every hash (the newest release names its blobs), so wait for them, then check for the
      // manifest and go on as when every hash was known, with this listing.
      return publishHashed(app, firstListing);
    }
    // The blob tree listed in one request, or a store with no release yet (whose blob tree holds
    // at most what a failed deploy left): known before the hashes.
    Set<String> stored =
        store.listsRecursivelyInOneRequest() ? keys(firstListing) : listedBlobs(app);
    List<DeployFile> missing = new ArrayList<>();
    Map<String, String> blobs;
    long bytes;
    try (Uploads uploads = new Uploads(app)) {
      Set<String> planned = new HashSet<>();
      // files in the order their hashes arrive; an empty element when an upload failed
      BlockingQueue<Optional<DeployFile>> hashed = new LinkedBlockingQueue<>();
      uploads.onFailure(() -> hashed.add(Optional.empty()));
      for (DeployFile f : app.files()) {
        f.sha256Future().whenComplete((sha, e) -> hashed.add(Optional.of(f)));
      }
      for (int i = 0; i < app.files().size(); ) {
        Optional<DeployFile> next = take(hashed, app);
        if (next.isEmpty()) {
          uploads.awaitAll(); // throws the upload's failure: stop before the other hashes end
          continue;
        }
        i++;
        DeployFile f = next.get();
        String blob = RemoteLayout.blobPath(app.appName(), hashOf(f), f.fileName());
        if (toUpload(stored, planned, blob, f.size())) {
          missing.add(f);
          uploads.submit(f, blob);
        }
      }
      blobs = blobs(app);
      bytes = plan(app, missing);
      uploads.awaitAll();
    }
    String release = releaseId(app);
    String manifestPath = RemoteLayout.releasePath(app.appName(), release);
    if (missing.isEmpty() && store.exists(manifestPath)) {
      return alreadyStored(app, release, manifestPath, blobs);
    }
    return published(app, blobs, release, manifestPath, missing, bytes);
  }

  /**
   * Whether the blob at {@code blob} of {@code size} bytes is to be uploaded: it is not stored and
   * no other file of the app planned it already (files with the same content and name share it).
   */
  private static boolean toUpload(Set<String> stored, Set<String> planned, String blob, long size) {
    return !stored.contains(key(blob, size)) && planned.add(blob);
  }

  /** Tells the listener (and the log) what will be uploaded; returns its bytes. */
  private static long plan(AppFiles app, List<DeployFile> missing) {
    long bytes = missing.stream().mapToLong(DeployFile::size).sum();
    app.listener().planned(app.files().size(), missing.size(), bytes);
    log.debug(
        "{}: {} files, {} to upload ({} bytes)",
        app.appName(),
        app.files().size(),
        missing.size(),
        bytes);
    return bytes;
  }

  /** Writes the release manifest, after every blob it names is stored; returns the release. */
  private Release published(
      AppFiles app,
      Map<String, String> blobs,
      String release,
      String manifestPath,
      List<DeployFile> missing,
      long bytes) {
    Map<String, Object> manifest = manifestBody(app, blobs);
    manifest.put("release", release);
    manifest.put("created", clock.instant().toString());
    byte[] bytesOut = toJson(manifest);
    store.upload(manifestPath, new ByteArrayInputStream(bytesOut), bytesOut.length);
    return new Release(
        app.appName(), release, manifestPath, blobs, app.files().size(), missing.size(), bytes);
  }

  /** The release whose manifest exists: nothing to upload. */
  private static Release alreadyStored(
      AppFiles app, String release, String manifestPath, Map<String, String> blobs) {
    app.listener().planned(app.files().size(), 0, 0);
    log.debug("release {} of {} is stored already", release, app.appName());
    return new Release(app.appName(), release, manifestPath, blobs, app.files().size(), 0, 0L);
  }

  /**
   * Where the first listing looks: the blob tree where one request lists it, else {@code
   * releases/}.
   */
  private String firstListing(AppFiles app) {
    return store.listsRecursivelyInOneRequest()
        ? RemoteLayout.blobsDir(app.appName())
        : RemoteLayout.releasesDir(app.appName());
  }

  /** Each file's blob path, by the file's path, in the app's order; waits for every hash. */
  private static Map<String, String> blobs(AppFiles app) {
    Map<String, String> blobs = new LinkedHashMap<>();
    for (DeployFile f : app.files()) {
      blobs.put(f.path(), RemoteLayout.blobPath(app.appName(), hashOf(f), f.fileName()));
    }
    return blobs;
  }

  /** The file's hash, once known; throws what hashing it failed with. */
  private static String hashOf(DeployFile f) {
    try {
      return f.sha256Future().join();
    } catch (CancellationException e) {
      throw new KindlingException(f.path() + " was not hashed: the app was closed", e);
    } catch (CompletionException e) {
      if (e.getCause() instanceof KindlingException k) {
        throw k;
      }
      throw new KindlingException("could not hash " + f.path() + ": " + e.getCause(), e);
    }
  }

  private static <T> T take(BlockingQueue<T> queue, AppFiles app) {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("interrupted while hashing " + app.appName() + "'s files", e);
    }
  }

  /**
   * The app's blobs that are stored already, as {@code path + NUL + size}. Where one listing
   * request covers the whole blob tree, that listing; where listing costs one request per blob
   * directory, the newest stored release manifest of the app (every blob a manifest names was
   * stored before it was written, and blobs are never deleted) and then one listing of each
   * remaining blob's own directory, falling back to the full listing when too many remain.
   */
  private Set<String> storedBlobs(
      AppFiles app, Map<String, String> blobs, List<StoredFile> firstListing) {
    if (store.listsRecursivelyInOneRequest()) {
      return keys(firstListing);
    }
    Set<String> known = blobsOfNewestRelease(firstListing);
    List<DeployFile> unknown = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (DeployFile f : app.files()) {
      String key = key(blobs.get(f.path()), f.size());
      if (!known.contains(key) && seen.add(key)) {
        unknown.add(f);
      }
    }
    if (unknown.size() > MAX_EXISTENCE_CHECKS) {
      log.debug(
          "{} of {}'s blobs are in no recent release; listing them all",
          unknown.size(),
          app.appName());
      return listedBlobs(app);
    }
    Set<String> stored = new HashSet<>(known);
    if (unknown.isEmpty()) {
      return stored;
    }
    // One listing of each remaining blob's own directory (one request each, in parallel): it says
    // whether the blob is there and its size (a smaller one is another deployer's partial upload).
    int threads = Math.min(concurrency, unknown.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
    try {
      List<Future<List<StoredFile>>> checks = new ArrayList<>();
      for (DeployFile f : unknown) {
        String blob = blobs.get(f.path());
        checks.add(pool.submit(() -> store.list(blob.substring(0, blob.lastIndexOf('/')))));
      }
      for (Future<List<StoredFile>> check : checks) {
        for (StoredFile sf : await(check, app)) {
          stored.add(key(sf.path(), sf.size()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return stored;
  }

  private Set<String> listedBlobs(AppFiles app) {
    return keys(store.list(RemoteLayout.blobsDir(app.appName())));
  }

  private static Set<String> keys(List<StoredFile> listed) {
    return listed.stream().map(s -> key(s.path(), s.size())).collect(Collectors.toSet());
  }

  /**
   * The blobs named by the most recently written release manifest in {@code releases} (the listing
   * of the app's {@code releases/}); empty if none.
   */
  private Set<String> blobsOfNewestRelease(List<StoredFile> releases) {
    Optional<StoredFile> newest = newestRelease(releases);
    if (newest.isEmpty()) {
      return Set.of();
    }
    try (InputStream in = store.read(newest.get().path())) {
      JsonNode manifest = JSON.readTree(in);
      Set<String> out = new HashSet<>();
      for (JsonNode f : manifest.path("files")) {
        String blob = f.path("blob").asText("");
        if (!blob.isEmpty() && f.path("size").canConvertToLong()) {
          out.add(key(blob, f.path("size").asLong()));
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      // Only an optimisation: an unreadable manifest means checking each blob instead.
      log.debug("could not read release manifest {}: {}", newest.get().path(), e.toString());
      return Set.of();
    }
  }

  /** The most recently written release manifest in a listing of {@code releases/}, if any. */
  private static Optional<StoredFile> newestRelease(List<StoredFile> releases) {
    return releases.stream()
        .filter(f -> f.path().endsWith(".json") && f.lastModified().isPresent())
        .max(java.util.Comparator.comparing(f -> f.lastModified().get()));
  }

  /** How a stored blob is recognised: its path and its size (a shorter one is a partial upload). */
  private static String key(String blob, long size) {
    return blob + "\u0000" + size;
  }

  private static <T> T await(Future<T> f, AppFiles app) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("interrupted while checking " + app.appName() + "'s blobs", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KindlingException ke) {
        throw ke;
      }
      throw new KindlingException("checking a blob failed: " + e.getCause(), e.getCause());
    }
  }

  private void uploadAll(AppFiles app, List<DeployFile> missing, Map<String, String> blobs) {
    if (missing.isEmpty()) {
      return;
    }
    // Largest first: the longest request chains start at once and the small files fill the other
    // lanes, instead of a large file started last running on alone.
    List<DeployFile> ordered = new ArrayList<>(missing);
    ordered.sort(java.util.Comparator.comparingLong(DeployFile::size).reversed());
    try (Uploads uploads = new Uploads(app)) {
      for (DeployFile f : ordered) {
        uploads.submit(f, blobs.get(f.path()));
      }
      uploads.awaitAll();
    }
  }

  /**
   * Uploads on {@code concurrency} lanes; of the files waiting for a lane, the largest goes first.
   * The first failure cancels the rest; closing stops what has not finished.
   */
  private final class Uploads implements AutoCloseable {
    private final AppFiles app;
    private final ThreadPoolExecutor pool;
    private final List<CompletableFuture<Void>> results = new ArrayList<>();
    private final CompletableFuture<Void> firstFailure = new CompletableFuture<>();
    private long submitted;

    Uploads(AppFiles app) {
      this.app = app;
      this.pool =
          new ThreadPoolExecutor(
              concurrency,
              concurrency,
              0,
              TimeUnit.MILLISECONDS,
              new PriorityBlockingQueue<>(),
              daemonThreads());
    }

    void submit(DeployFile f, String blob) {
      Upload u = new Upload(f, blob, submitted++);
      results.add(u.result);
      pool.execute(u);
    }

    /** Waits until every upload is stored; throws the first failure. */
    void awaitAll() {
      CompletableFuture<Void> all =
          CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
      try {
        CompletableFuture.anyOf(all, firstFailure).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KindlingException("interrupted while uploading " + app.appName(), e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof KindlingException ke) {
          throw ke;
        }
        throw new KindlingException("upload failed: " + cause.getMessage(), cause);
      }
    }

    /** Runs {@code action} when an upload fails (at once when one has). */
    void onFailure(Runnable action) {
      firstFailure.whenComplete((v, e) -> action.run());
    }

    /**
     * Stops the uploads that have not finished (after a failure) and waits for them, so that no
     * upload outlives the publication; bounded, since a request that ignores the interrupt ends
     * only at its timeout.
     */
    @Override
    public void close() {
      pool.shutdownNow();
      try {
        if (!pool.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn(
              "{}: uploads still running {} s after the deploy stopped them",
              app.appName(),
              STOP_WAIT.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** One file's upload; ordered largest first, then in the order submitted. */
    private final class Upload implements Runnable, Comparable<Upload> {
      private final DeployFile file;
      private final String blob;
      private final long order;
      private final CompletableFuture<Void> result = new CompletableFuture<>();

      Upload(DeployFile file, String blob, long order) {
        this.file = file;
        this.blob = blob;
        this.order = order;
      }

      @Override
      public void run() {
        if (firstFailure.isDone()) {
          result.cancel(false);
          return;
        }
        try {
          uploadOne(app, file, blob);
          result.complete(null);
        } catch (RuntimeException | Error e) {
          result.completeExceptionally(e);
          firstFailure.completeExceptionally(e);
        }
      }

      @Override
      public int compareTo(Upload o) {
        int bySize = Long.compare(o.file.size(), file.size());
        return bySize != 0 ? bySize : Long.compare(order, o.order);
      }
    }
  }

  /**
   * Streams one file to its blob. Its bytes were hashed when the app was loaded; when its stat
   * proves them unchanged since ({@link DeployFile#provablyUnchanged()}), they are not hashed again
   * and the stat is checked once more when the last byte has been read; otherwise they are hashed
   * on their way out and the hash is checked at the same point. A mismatch fails the read of the
   * last chunk, so the store never commits the file (a DFS upload stops before its final flush, a
   * volume {@code PUT} before its body is complete).
   */
  private void uploadOne(AppFiles app, DeployFile f, String blob) {
    // Each attempt the store makes reads the file from the start through a fresh check. Stores
    // whose HTTP client copies in small pieces (the Databricks SDK's 4 KiB) read from a 64 KiB
    // buffer, not through the check and a file read each; large reads pass straight through.
    AtomicReference<CheckedStream> last = new AtomicReference<>();
    AtomicReference<KindlingException> unreadable = new AtomicReference<>();
    ArtifactStore.Source source =
        () -> {
          InputStream file;
          try {
            file = f.open();
          } catch (IOException e) {
            unreadable.set(
                new KindlingException("could not read " + f.path() + ": " + e.getMessage(), e));
            throw unreadable.get();
          }
          CheckedStream checked = new CheckedStream(file, f, f.provablyUnchanged(), app.listener());
          last.set(checked);
          return new BufferedInputStream(checked, UPLOAD_READ_BUFFER);
        };
    try {
      store.uploadContentAddressed(blob, source, f.size());
    } catch (KindlingException e) {
      CheckedStream in = last.get();
      if (in != null && in.changed != null) {
        throw changed(f, in.changed); // nothing was committed: the last read failed
      }
      if (unreadable.get() != null) {
        throw unreadable.get();
      }
      throw new KindlingException(
          "uploading " + f.path() + " to " + blob + " failed: " + e.getMessage(),
          e,
          e.platform().orElse(null),
          e.httpStatus().isPresent() ? e.httpStatus().getAsInt() : null,
          e.errorCode().orElse(null),
          e.requestId().orElse(null));
    }
    CheckedStream in = last.get();
    if (in == null) {
      throw new KindlingException(
          "uploading " + f.path() + " to " + blob + " failed: the store did not read it");
    }
    String problem = in.changed != null ? in.changed : in.verified ? null : in.verify();
    if (problem != null) {
      // The store took the bytes without reading them to the end through the check: never leave
      // wrong bytes under a content address.
      store.delete(blob);
      throw changed(f, problem);
    }
    app.listener().fileUploaded(f.path(), f.size());
  }

  private static KindlingException changed(DeployFile f, String problem) {
    return new KindlingException(
        f.path() + " changed while it was being deployed (" + problem + "); deploy again");
  }

  private static Map<String, Object> manifestBody(AppFiles app, Map<String, String> blobs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kindling_release", 1);
    m.put("app", app.appName());
    m.put("version", app.version());
    m.put("runtime", app.runtime().name().toLowerCase(java.util.Locale.ROOT));
    m.put("entry_point", app.entryPoint().orElse(null));
    m.put("main_class", app.mainClass().orElse(null));
    m.put("app_jar", app.appJar().orElse(null));
    m.put("jars", app.jars());
    m.put("launcher", app.launcher());
    List<Map<String, Object>> files = new ArrayList<>();
    app.files().stream()
        .sorted(java.util.Comparator.comparing(DeployFile::path))
        .forEach(
            f -> {
              Map<String, Object> e = new LinkedHashMap<>();
              e.put("path", f.path());
              e.put("size", f.size());
              e.put("sha256", f.sha256());
              if (blobs != null) {
                e.put("blob", blobs.get(f.path()));
              }
              files.add(e);
            });
    m.put("files", files);
    return m;
  }

  private static byte[] toJson(Object value) {
    try {
      return JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static ThreadFactory daemonThreads() {
    int pool = POOL.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "kindling-upload-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Reports progress of what passes through and, once the file's last byte has been read, checks
   * that the bytes are the hashed ones: by the file's stat when it was trusted, else by hashing
   * everything read. A failed check fails that read (an {@link IOException}), so the store does not
   * commit the file.
   */
  private static final class CheckedStream extends FilterInputStream {
    private final DeployFile file;
    private final MessageDigest digest;
    private final DeployListener listener;
    private long count;
    boolean verified;
    volatile String changed;

    CheckedStream(InputStream in, DeployFile file, boolean trusted, DeployListener listener) {
      super(in);
      this.file = file;
      this.digest = trusted ? null : newDigest();
      this.listener = listener;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        if (digest != null) {
          digest.update(buf, off, n);
        }
        count += n;
        listener.bytesUploaded(n);
      }
      if (!verified && (count == file.size() || n < 0)) {
        String problem = verify();
        if (problem != null) {
          changed = problem;
          throw new IOException(file.path() + " changed while it was being read: " + problem);
        }
      }
      return n;
    }

    /** Checks what was read; null when it is the hashed content, else what differs. */
    String verify() {
      verified = true;
      if (count != file.size()) {
        return "expected " + file.size() + " bytes, read " + count + " so far";
      }
      if (digest == null) {
        return file.provablyUnchanged()
            ? null
            : "its size, modification time, change time or identity is not what it was when it"
                + " was hashed";
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      return actual.equals(file.sha256())
          ? null
          : "expected sha256 " + file.sha256() + ", read " + actual;
    }

    @Override
    public long skip(long n) {
      throw new UnsupportedOperationException("uploads read every byte");
    }
  }
}
