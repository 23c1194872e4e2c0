package dev.kindling.databricks;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.service.files.DirectoryEntry;
import com.databricks.sdk.service.files.UploadRequest;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * An {@link ArtifactStore} in a Unity Catalog volume, through the Databricks Files API: uploads
 * stream the raw bytes in one {@code PUT} (stored atomically by the service, which answers 2xx only
 * once the whole body is stored; no metadata request follows), downloads stream, and listing walks
 * the directory pages. Spark drivers read the same files through the volume's FUSE mount at the
 * same {@code /Volumes/...} path.
 */
final class VolumeArtifactStore implements ArtifactStore {
  private final ArtifactsRoot root;
  private final Supplier<WorkspaceClient> client;

  VolumeArtifactStore(ArtifactsRoot root, Supplier<WorkspaceClient> client) {
    if (root.kind() != ArtifactsRoot.Kind.VOLUME) {
      throw new IllegalArgumentException("not a volume root: " + root);
    }
    this.root = root;
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public String locate(String path) {
    return root.resolve(StorePaths.check(path));
  }

  @Override
  public boolean exists(String path) {
    String p = locate(path);
    try {
      client.get().files().getMetadata(p);
      return true;
    } catch (DatabricksError e) {
      if (DatabricksErrors.isNotFound(e)) {
        return false;
      }
      throw DatabricksErrors.translate("checking " + p, e);
    }
  }

  /** Files up to this size are buffered so a failed PUT can be sent again. */
  static final long RESEND_LIMIT = 16L * 1024 * 1024;

  /**
   * The most bytes all of this store's uploads together keep in memory for resending: with {@link
   * #uploadConcurrency()} uploads at once, a buffer of up to {@link #RESEND_LIMIT} each could
   * otherwise reach 256 MiB. An upload that finds the budget spent streams without a buffer (a
   * failed PUT of it then fails the deploy, which a redeploy resumes).
   */
  static final int RESEND_BUDGET = 32 * 1024 * 1024;

  private final Semaphore resendBudget = new Semaphore(RESEND_BUDGET);

  /**
   * 16: a volume upload is one streamed {@code PUT} per file, with no chunk buffer to hold, so more
   * lanes cost little memory; they shorten first deploys of many small files (one round trip each).
   */
  @Override
  public int uploadConcurrency() {
    return 16;
  }

  @Override
  public void upload(String path, InputStream data, long size) {
    // A file small enough to keep in memory is sent again after a throttled, failed or dropped
    // PUT (overwrite: the same bytes to the same path, so resending is harmless); the SDK would
    // not resend a stream.
    boolean buffered = reserveResendBuffer(size);
    try {
      upload(path, data, size, buffered);
    } finally {
      if (buffered) {
        resendBudget.release((int) size);
      }
    }
  }

  /** True when a resend buffer of {@code size} bytes fits and is now reserved; release it after. */
  private boolean reserveResendBuffer(long size) {
    return size <= RESEND_LIMIT && resendBudget.tryAcquire((int) size);
  }

  /**
   * A file up to {@link #RESEND_LIMIT} is buffered for resending as {@link #upload} does, while the
   * resend budget allows; a larger one, or one that finds the budget spent, is read again from
   * {@code source} for each attempt, so a throttled or failed {@code PUT} is sent again whatever
   * the file's size, without holding it in memory.
   */
  @Override
  public void uploadContentAddressed(String path, Source source, long size) {
    if (reserveResendBuffer(size)) {
      try (InputStream data = source.open()) {
        upload(path, data, size, true);
      } catch (IOException e) {
        throw new KindlingException("reading the data for " + path + " failed: " + e, e);
      } finally {
        resendBudget.release((int) size);
      }
      return;
    }
    String p = locate(path);
    DatabricksErrors.retryingRun(
        "uploading " + p,
        () -> {
          // each attempt reads the file again from the start
          try (InputStream in = source.open()) {
            put(p, in, size);
          } catch (IOException e) {
            throw new KindlingException("cannot read " + p + ": " + e.getMessage(), e);
          }
        });
  }

  private void upload(String path, InputStream data, long size, boolean resendable) {
    String p = locate(path);
    InputStream source = resendable && !data.markSupported() ? new BufferedInputStream(data) : data;
    if (resendable) {
      source.mark((int) size + 1);
    }
    boolean[] attempted = new boolean[1];
    Runnable put =
        () -> {
          if (attempted[0]) {
            try {
              source.reset();
            } catch (IOException e) {
              throw new KindlingException("cannot resend " + p + ": " + e.getMessage(), e);
            }
          }
          attempted[0] = true;
          put(p, source, size);
        };
    if (resendable) {
      DatabricksErrors.retryingRun("uploading " + p, put);
    } else {
      DatabricksErrors.run("uploading " + p, put);
    }
  }

  /** One {@code PUT} of what {@code source} yields; refuses to be sent a second time. */
  private void put(String p, InputStream source, long size) {
    CountingStream counted = new CountingStream(source);
    try {
      client
          .get()
          .files()
          .upload(new UploadRequest().setFilePath(p).setContents(counted).setOverwrite(true));
    } catch (RuntimeException e) {
      if (counted.sourceFailure != null) {
        // the data could not be read (or was refused by its reader): not worth resending
        throw new KindlingException(
            "reading the data for " + p + " failed: " + counted.sourceFailure.getMessage(),
            counted.sourceFailure);
      }
      throw e;
    }
    // The service stores a file only when the whole body arrived, and answers 2xx only then.
    // What it received is what this stream gave: every byte once (the stream refuses to be sent
    // a second time, which is what the SDK would do after a throttling answer), so the count
    // says what was stored and no metadata request is needed.
    if (counted.count != size) {
      throw new KindlingException(
          "upload of " + p + " announced " + size + " bytes but sent " + counted.count);
    }
  }

  @Override
  public InputStream read(String path) {
    String p = locate(path);
    try {
      return client.get().files().download(p).getContents();
    } catch (DatabricksError e) {
      if (DatabricksErrors.isNotFound(e)) {
        throw new NotFoundException("no file at " + p, e);
      }
      throw DatabricksErrors.translate("reading " + p, e);
    }
  }

  /**
   * The Files API lists one directory per call and the blob layout has one directory per blob, so
   * the directories of each level are listed in parallel (at most {@value #LIST_CONCURRENCY} at a
   * time) rather than one after another.
   */
  @Override
  public List<StoredFile> list(String prefix) {
    List<StoredFile> out = new ArrayList<>();
    List<String> level = List.of(locate(prefix));
    ExecutorService pool = null;
    try {
      while (!level.isEmpty()) {
        List<String> next = new ArrayList<>();
        if (level.size() == 1) {
          listOne(level.get(0), out, next);
        } else {
          if (pool == null) {
            pool = Executors.newFixedThreadPool(LIST_CONCURRENCY, LIST_THREADS);
          }
          List<Future<Listing>> futures = new ArrayList<>();
          for (String dir : level) {
            futures.add(
                pool.submit(
                    () -> {
                      Listing l = new Listing(new ArrayList<>(), new ArrayList<>());
                      listOne(dir, l.files(), l.dirs());
                      return l;
                    }));
          }
          for (Future<Listing> f : futures) {
            Listing l = await(f);
            out.addAll(l.files());
            next.addAll(l.dirs());
          }
        }
        level = next;
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    out.sort(Comparator.comparing(StoredFile::path));
    return out;
  }

  private record Listing(List<StoredFile> files, List<String> dirs) {}

  private static final int LIST_CONCURRENCY = 8;

  private static final ThreadFactory LIST_THREADS =
      r -> {
        Thread t = new Thread(r, "kindling-volume-list");
        t.setDaemon(true);
        return t;
      };

  private static Listing await(Future<Listing> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("interrupted while listing a volume", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new KindlingException("listing a volume failed: " + e.getCause(), e.getCause());
    }
  }

  private void listOne(String dir, List<StoredFile> files, List<String> dirs) {
    try {
      for (DirectoryEntry e : client.get().files().listDirectoryContents(dir)) {
        String entryPath =
            e.getPath() != null ? e.getPath() : dir + "/" + Objects.requireNonNull(e.getName());
        if (Boolean.TRUE.equals(e.getIsDirectory())) {
          dirs.add(trimSlash(entryPath));
          continue;
        }
        String rel = StorePaths.relativize(root.path(), entryPath);
        if (rel != null) {
          files.add(
              new StoredFile(
                  rel,
                  e.getFileSize() == null ? 0 : e.getFileSize(),
                  e.getLastModified() == null
                      ? null
                      : java.time.Instant.ofEpochMilli(e.getLastModified())));
        }
      }
    } catch (DatabricksError e) {
      if (!DatabricksErrors.isNotFound(e)) {
        throw DatabricksErrors.translate("listing " + dir, e);
      }
    }
  }

  /** Listing costs one request per directory here, and every blob has its own directory. */
  @Override
  public boolean listsRecursivelyInOneRequest() {
    return false;
  }

  @Override
  public boolean delete(String path) {
    String p = locate(path);
    try {
      client.get().files().delete(p);
      return true;
    } catch (DatabricksError e) {
      if (DatabricksErrors.isNotFound(e)) {
        return false;
      }
      throw DatabricksErrors.translate("deleting " + p, e);
    }
  }

  private static String trimSlash(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /**
   * Counts the bytes read through it, and refuses to be read again once closed: the SDK sends a
   * request body by reading the stream to its end and closing it, and after a throttling answer it
   * sends the same request again with the same, consumed stream, which would store an empty or
   * short file under a 2xx answer. Refusing makes that attempt fail instead; the upload is then
   * sent again from the start (files up to {@link #RESEND_LIMIT}) or reported.
   */
  private static final class CountingStream extends FilterInputStream {
    long count;
    IOException sourceFailure;
    private boolean closed;

    CountingStream(InputStream in) {
      super(in);
    }

    private void checkOpen() throws IOException {
      if (closed) {
        throw new IOException("the upload body was sent once already and cannot be sent again");
      }
    }

    @Override
    public int read() throws IOException {
      checkOpen();
      int b;
      try {
        b = super.read();
      } catch (IOException e) {
        sourceFailure = e;
        throw e;
      }
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      checkOpen();
      int n;
      try {
        n = super.read(b, off, len);
      } catch (IOException e) {
        sourceFailure = e;
        throw e;
      }
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) {
      return 0;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() {
      closed = true; // the caller owns the underlying stream
    }
  }
}
