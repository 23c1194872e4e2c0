package dev.kindling.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.http.HttpClients;
import dev.kindling.core.http.HttpErrors;
import dev.kindling.core.http.RetryPolicy;
import dev.kindling.core.http.RetrySafe;
import dev.kindling.core.http.TokenProvider;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import dev.kindling.core.time.Scheduler;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ArtifactStore} on ADLS Gen2 or OneLake, speaking the DFS REST protocol ({@code
 * platform-apis.md} §5) with OkHttp through core's {@link HttpClients}. Addressed by an {@code
 * abfss://<filesystem>@<host>/<path>} artifacts root; requests go to {@code https://<host>} unless
 * an endpoint override says otherwise (an emulator's {@code http://127.0.0.1:PORT}).
 *
 * <p><b>Why not the official Data Lake client.</b> {@code azure-storage-file-datalake} refuses a
 * bearer token over plain {@code http} (build-notes.md pitfall 6), which rules out loopback
 * emulators unless they serve https with generated certificates and the tests trust them all. Going
 * through our own HTTP stack also gives every Kindling call one retry policy (Retry-After, budget,
 * idempotency rules), one redacting logger and one set of timeouts, and keeps the chunked append
 * loop — how much is buffered, what is retried — under our control. The protocol is five requests;
 * the Azure SDK would add Reactor, its own retry and its own logging for them.
 *
 * <p><b>Upload.</b> {@code PUT ?resource=file} of a temporary name beside the target, then {@code
 * PATCH ?action=append&position=N} per chunk (default {@value #DEFAULT_CHUNK_SIZE} bytes, read from
 * the input stream one chunk at a time, so at most one chunk is in memory), then {@code PATCH
 * ?action=flush&position=<length>}, then a rename into place ({@code PUT} with {@code
 * x-ms-rename-source}). Blobs are content-addressed and manifests small, but the rename still
 * matters: a create makes an empty file visible at once, so an upload that dies half-way would
 * leave a truncated file at the final path that {@link #exists} reports and the next deploy skips.
 * With the rename, the final path only ever holds complete files. Appends and flushes carry their
 * position, so a replayed one is harmless and they are marked {@link RetrySafe}; the chunk is a
 * byte array, so it can be sent again.
 *
 * <p><b>Content-addressed upload</b> ({@link #uploadContentAddressed}, the release's blobs): no
 * temporary name and no rename. Where the size tells a complete file from an incomplete one, the
 * final name holding an empty file until the flushing last append is as good as the rename, and it
 * saves one request per blob.
 */
public final class DfsArtifactStore implements ArtifactStore {
  /** The default append chunk: 8 MiB. */
  public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

  /** Uploads a deploy runs at once on this store ({@link #uploadConcurrency()}). */
  public static final int UPLOAD_CONCURRENCY = 16;

  /**
   * The default for how much append buffer this store holds at once, across its uploads: 64 MiB
   * (eight full chunks). An upload's buffer is as large as its file up to one chunk, so many small
   * files share it easily while at most eight large ones buffer a full chunk; the others wait.
   */
  public static final long DEFAULT_BUFFER_BUDGET = 64L * 1024 * 1024;

  /** The {@code x-ms-version} sent. */
  public static final String API_VERSION = "2023-11-03";

  /** Name prefix of in-flight uploads; never listed. */
  static final String TEMP_PREFIX = ".kindling-upload-";

  private static final Logger log = LoggerFactory.getLogger(DfsArtifactStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ABFSS =
      Pattern.compile("abfss://([^@/]+)@([^/]+)(?:/(.*))?", Pattern.CASE_INSENSITIVE);
  private static final MediaType OCTETS = MediaType.get("application/octet-stream");

  private final OkHttpClient http;
  private final String filesystem;
  private final String host;
  private final String rootPath;
  private final HttpUrl endpoint;
  private final int chunkSize;
  private final String platform;

  /** The append-buffer budget in KiB; fair, so a large file waits its turn. */
  private final Semaphore bufferKib;

  private DfsArtifactStore(Builder b) {
    Matcher m = ABFSS.matcher(Objects.requireNonNull(b.root, "root"));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not an abfss://<filesystem>@<host>/<path> location: " + b.root);
    }
    filesystem = m.group(1);
    host = m.group(2);
    rootPath = trimSlashes(m.group(3) == null ? "" : m.group(3));
    URI ep = b.endpoint != null ? b.endpoint : URI.create("https://" + host);
    HttpUrl parsed = HttpUrl.parse(ep.toString());
    if (parsed == null) {
      throw new IllegalArgumentException("not an http(s) endpoint: " + ep);
    }
    endpoint = parsed;
    if (b.chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be positive: " + b.chunkSize);
    }
    chunkSize = b.chunkSize;
    if (b.bufferBudget < 1) {
      throw new IllegalArgumentException("bufferBudget must be positive: " + b.bufferBudget);
    }
    bufferKib = new Semaphore(kib(Math.max(b.bufferBudget, chunkSize)), true);
    platform = b.platform;
    if (b.client != null) {
      http = b.client;
    } else {
      HttpClients.Builder hb =
          HttpClients.builder()
              .platform(platform)
              .auth(
                  Objects.requireNonNull(b.tokens, "tokens or client"),
                  AzureCredentials.STORAGE_SCOPE)
              .retryPolicy(b.retryPolicy);
      if (b.scheduler != null) {
        hb.scheduler(b.scheduler);
      }
      http = hb.build();
    }
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The filesystem (container; the workspace on OneLake). */
  public String filesystem() {
    return filesystem;
  }

  /** The root path inside the filesystem, without slashes at either end; may be empty. */
  public String rootPath() {
    return rootPath;
  }

  /** The endpoint requests go to. */
  public URI endpoint() {
    return endpoint.uri();
  }

  @Override
  public String locate(String path) {
    return "abfss://" + filesystem + "@" + host + "/" + full(path);
  }

  @Override
  public boolean exists(String path) {
    Request req = base(url(full(path))).head().build();
    try (Response r = call(req, "checking " + path)) {
      if (r.code() == 404) {
        return false;
      }
      require(r, "checking " + path);
      return !"directory".equalsIgnoreCase(r.header("x-ms-resource-type"));
    }
  }

  @Override
  public void upload(String path, InputStream data, long size) {
    String target = full(path);
    int slash = target.lastIndexOf('/');
    String dir = slash < 0 ? "" : target.substring(0, slash + 1);
    String temp = dir + TEMP_PREFIX + UUID.randomUUID() + "-" + target.substring(slash + 1);
    withBuffer(
        size,
        path,
        buf -> {
          boolean done = false;
          try {
            create(temp, path);
            write(temp, data, size, path, buf);
            rename(temp, target, size, path);
            done = true;
            log.debug("uploaded {} ({} bytes)", path, size);
          } finally {
            if (!done) {
              deleteQuietly(temp);
            }
          }
        });
  }

  /**
   * {@value #UPLOAD_CONCURRENCY}: each upload holds an append buffer only as large as its file (up
   * to one chunk), within a shared budget ({@link Builder#bufferBudget}), so the lanes are not
   * limited by memory; with 25 ms per request, a deploy of many small files is bound by round
   * trips, which more lanes divide.
   */
  @Override
  public int uploadConcurrency() {
    return UPLOAD_CONCURRENCY;
  }

  /**
   * Writes a content-addressed file straight to its final name: {@code PUT ?resource=file} with
   * {@code If-None-Match: *}, then the appends, the last one flushing. Appended data is invisible
   * until that flush (platform-apis.md §5), and only the last append flushes, so {@code path} holds
   * either an empty file or the whole content: as safe as the temporary name and rename of {@link
   * #upload} for a file whose size tells complete from incomplete, and one request fewer. A create
   * refused because the file exists ({@code 409 PathAlreadyExists}: a concurrent deploy of the same
   * content, or a leftover) is answered by the file's size: complete, and it is kept (the data is
   * read to its end, unsent); shorter (an interrupted or unfinished upload), and it is overwritten.
   * A failed upload leaves at most an empty file, which is not deleted: another writer may have
   * completed the same file meanwhile.
   */
  @Override
  public void uploadContentAddressed(String path, InputStream data, long size) {
    String target = full(path);
    // The buffer first: a created file waiting for it would look like an unfinished upload to a
    // concurrent deploy of the same blob, which would truncate it and collide on positions.
    withBuffer(
        size,
        path,
        buf -> {
          if (!create(target, path, true)) {
            long existing = sizeOf(target).orElse(-1L);
            if (existing == size) {
              drain(data, size, path);
              log.debug("{} is stored already ({} bytes)", path, size);
              return;
            }
            log.debug("overwriting {} ({} of {} bytes)", path, existing, size);
            create(target, path, false);
          }
          write(target, data, size, path, buf);
          log.debug("uploaded {} ({} bytes)", path, size);
        });
  }

  /**
   * Runs an upload of {@code size} bytes with its append buffer (as large as the file, up to one
   * chunk), once that buffer fits in the store's budget.
   */
  private void withBuffer(long size, String path, java.util.function.Consumer<byte[]> upload) {
    int bufSize = (int) Math.min(chunkSize, Math.max(size, 1));
    int permits = kib(bufSize);
    try {
      bufferKib.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KindlingException("interrupted while waiting to upload " + path, e);
    }
    try {
      upload.accept(new byte[bufSize]);
    } finally {
      bufferKib.release(permits);
    }
  }

  /** Appends all of {@code data} to the created file at {@code fullPath} and flushes it. */
  private void write(String fullPath, InputStream data, long size, String path, byte[] buf) {
    if (!appendAll(fullPath, data, size, path, buf)) {
      flush(fullPath, size, path); // an empty file: nothing was appended, so nothing was flushed
    }
  }

  private static void drain(InputStream data, long size, String path) {
    long n;
    try {
      n = data.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new KindlingException("reading the data for " + path + " failed: " + e.getMessage(), e);
    }
    if (n != size) {
      throw new KindlingException(
          "upload of " + path + " announced " + size + " bytes but sent " + n);
    }
  }

  private void create(String temp, String path) {
    create(temp, path, false);
  }

  /**
   * Creates (or truncates) an empty file; with {@code onlyIfAbsent}, {@code If-None-Match: *}.
   *
   * @return false when {@code onlyIfAbsent} and a file exists there already
   */
  private boolean create(String fullPath, String path, boolean onlyIfAbsent) {
    Request.Builder req =
        base(url(fullPath).newBuilder().addQueryParameter("resource", "file").build())
            .put(RequestBody.create(new byte[0], null));
    if (onlyIfAbsent) {
      req.header("If-None-Match", "*");
    }
    try (Response r = call(req.build(), "creating " + path)) {
      if (onlyIfAbsent && r.code() == 409) {
        return false; // PathAlreadyExists (or a retried create whose first attempt succeeded)
      }
      require(r, "creating " + path);
      return true;
    }
  }

  /** Uploads waiting for their append buffer to fit in the budget (for tests). */
  int uploadsWaitingForBuffers() {
    return bufferKib.getQueueLength();
  }

  private static int kib(long bytes) {
    return (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
  }

  /**
   * Appends {@code size} bytes read from {@code data} in chunks of {@code buf}'s size; the last
   * append also flushes ({@code flush=true}, API version 2020-08-04 and later), which saves the
   * separate flush request.
   *
   * @return true when the data was flushed by the last append; false when there was nothing to
   *     append (an empty file)
   */
  private boolean appendAll(String temp, InputStream data, long size, String path, byte[] buf) {
    long position = 0;
    boolean flushed = false;
    try {
      while (true) {
        int n = data.readNBytes(buf, 0, buf.length);
        if (n <= 0) {
          break;
        }
        boolean last = position + n >= size;
        HttpUrl.Builder u =
            url(temp)
                .newBuilder()
                .addQueryParameter("action", "append")
                .addQueryParameter("position", Long.toString(position));
        if (last) {
          u.addQueryParameter("flush", "true");
        }
        Request req =
            base(u.build())
                .patch(RequestBody.create(buf, OCTETS, 0, n))
                .tag(RetrySafe.class, RetrySafe.INSTANCE)
                .build();
        try (Response r = call(req, "uploading " + path)) {
          // A retried append-and-flush whose first attempt was applied is refused (its position
          // is behind the end now); the file then has every byte, committed.
          boolean appliedBefore = last && r.code() == 400 && sizeOf(temp).orElse(-1L) == size;
          if (!appliedBefore) {
            require(r, "uploading " + path);
          }
        }
        position += n;
        flushed = last;
        if (n < buf.length || last) {
          break;
        }
      }
      if (flushed && position == size && data.read() != -1) {
        position++; // more bytes than announced
      }
    } catch (IOException e) {
      throw new KindlingException("reading the data for " + path + " failed: " + e.getMessage(), e);
    }
    if (position != size) {
      throw new KindlingException(
          "upload of " + path + " announced " + size + " bytes but sent " + position);
    }
    return flushed;
  }

  private void flush(String temp, long position, String path) {
    HttpUrl u =
        url(temp)
            .newBuilder()
            .addQueryParameter("action", "flush")
            .addQueryParameter("position", Long.toString(position))
            .addQueryParameter("close", "true")
            .build();
    Request req =
        base(u)
            .patch(RequestBody.create(new byte[0], null))
            .tag(RetrySafe.class, RetrySafe.INSTANCE)
            .build();
    try (Response r = call(req, "uploading " + path)) {
      require(r, "uploading " + path);
    }
  }

  private void rename(String temp, String target, long size, String path) {
    String source = "/" + encodePath(filesystem) + "/" + encodePath(temp);
    Request req =
        base(url(target))
            .put(RequestBody.create(new byte[0], null))
            .header("x-ms-rename-source", source)
            .build();
    try (Response r = call(req, "moving " + path + " into place")) {
      if (r.code() == 404 && sizeOf(target).orElse(-1L) == size) {
        return; // a retried rename whose first attempt succeeded
      }
      require(r, "moving " + path + " into place");
    }
  }

  private Optional<Long> sizeOf(String fullPath) {
    try (Response r = call(base(url(fullPath)).head().build(), "checking " + fullPath)) {
      if (!r.isSuccessful()) {
        return Optional.empty();
      }
      String len = r.header("Content-Length");
      return len == null ? Optional.empty() : Optional.of(Long.parseLong(len));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public InputStream read(String path) throws NotFoundException {
    Request req = base(url(full(path))).get().build();
    Response r = call(req, "reading " + path);
    boolean ok = false;
    try {
      if (r.code() == 404) {
        throw new NotFoundException(
            (platform == null ? "" : platform + ": ") + "no file at " + locate(path));
      }
      require(r, "reading " + path);
      ResponseBody body = r.body();
      ok = true;
      return new FilterInputStream(body.byteStream()) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            r.close();
          }
        }
      };
    } finally {
      if (!ok) {
        r.close();
      }
    }
  }

  @Override
  public List<StoredFile> list(String prefix) {
    String dir = full(prefix);
    List<StoredFile> files = new ArrayList<>();
    String continuation = null;
    String strip = rootPath.isEmpty() ? "" : rootPath + "/";
    do {
      HttpUrl.Builder u =
          endpoint
              .newBuilder()
              .addPathSegment(filesystem)
              .addQueryParameter("resource", "filesystem")
              .addQueryParameter("recursive", "true")
              .addQueryParameter("directory", dir);
      if (continuation != null) {
        u.addQueryParameter("continuation", continuation);
      }
      try (Response r = call(base(u.build()).get().build(), "listing " + prefix)) {
        if (r.code() == 404) {
          return List.of();
        }
        require(r, "listing " + prefix);
        JsonNode root = JSON.readTree(r.body().byteStream());
        for (JsonNode p : root.path("paths")) {
          if (p.path("isDirectory").asBoolean(false)) {
            continue;
          }
          String name = p.path("name").asText();
          if (name.substring(name.lastIndexOf('/') + 1).startsWith(TEMP_PREFIX)
              || !name.startsWith(strip)) {
            continue;
          }
          files.add(
              new StoredFile(name.substring(strip.length()), p.path("contentLength").asLong()));
        }
        continuation = r.header("x-ms-continuation");
        if (continuation != null && continuation.isBlank()) {
          continuation = null;
        }
      } catch (IOException e) {
        throw new KindlingException(
            "listing " + prefix + ": unreadable answer: " + e.getMessage(), e);
      }
    } while (continuation != null);
    files.sort(Comparator.comparing(StoredFile::path));
    return files;
  }

  @Override
  public boolean delete(String path) {
    try (Response r = call(base(url(full(path))).delete().build(), "deleting " + path)) {
      if (r.code() == 404) {
        return false;
      }
      require(r, "deleting " + path);
      return true;
    }
  }

  private void deleteQuietly(String fullPath) {
    try {
      // best effort: a stray temporary file is never listed nor read
      call(base(url(fullPath)).delete().build(), "deleting " + fullPath).close();
    } catch (RuntimeException e) {
      log.debug("could not delete the temporary {}: {}", fullPath, e.toString());
    }
  }

  private String full(String path) {
    if (path == null || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("not a relative store path: " + path);
    }
    String p = trimSlashes(path);
    for (String segment : p.split("/", -1)) {
      if (!p.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
        throw new IllegalArgumentException("not a relative store path: " + path);
      }
    }
    if (rootPath.isEmpty()) {
      return p;
    }
    return p.isEmpty() ? rootPath : rootPath + "/" + p;
  }

  private HttpUrl url(String fullPath) {
    HttpUrl.Builder u = endpoint.newBuilder().addPathSegment(filesystem);
    for (String s : fullPath.split("/")) {
      if (!s.isEmpty()) {
        u.addPathSegment(s);
      }
    }
    return u.build();
  }

  private static Request.Builder base(HttpUrl url) {
    return new Request.Builder().url(url).header("x-ms-version", API_VERSION);
  }

  private Response call(Request req, String operation) {
    try {
      return http.newCall(req).execute();
    } catch (IOException e) {
      throw HttpErrors.fromFailure(e, operation, platform);
    }
  }

  private void require(Response r, String operation) {
    HttpErrors.requireSuccess(r, operation, platform, DfsErrors.INSTANCE);
  }

  private static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (String s : path.split("/")) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(
          java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
              .replace("+", "%20"));
    }
    return sb.toString();
  }

  private static String trimSlashes(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == '/') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == '/') {
      b--;
    }
    return s.substring(a, b);
  }

  @Override
  public String toString() {
    return "DfsArtifactStore{" + locate("").replaceAll("/$", "") + " via " + endpoint + "}";
  }

  /** Builds a {@link DfsArtifactStore}. */
  public static final class Builder {
    private String root;
    private URI endpoint;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private long bufferBudget = DEFAULT_BUFFER_BUDGET;
    private String platform = "azure-storage";
    private OkHttpClient client;
    private TokenProvider tokens;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Scheduler scheduler;

    private Builder() {}

    /** The artifacts root, {@code abfss://<filesystem>@<host>/<path>}. */
    public Builder root(String abfssRoot) {
      this.root = abfssRoot;
      return this;
    }

    /** Where requests go instead of {@code https://<host>} (e.g. an emulator). */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The append chunk size in bytes (default 8 MiB). */
    public Builder chunkSize(int bytes) {
      this.chunkSize = bytes;
      return this;
    }

    /**
     * How many bytes of append buffers the store's uploads hold at once (default {@value
     * #DEFAULT_BUFFER_BUDGET}, raised to one chunk when smaller); an upload waits until its buffer
     * fits.
     */
    public Builder bufferBudget(long bytes) {
      this.bufferBudget = bytes;
      return this;
    }

    /** The platform id used in messages (default {@code azure-storage}). */
    public Builder platform(String platform) {
      this.platform = platform;
      return this;
    }

    /**
     * Storage-audience tokens ({@link AzureCredentials#STORAGE_SCOPE}); the store builds its client
     * with {@link HttpClients}.
     */
    public Builder tokens(TokenProvider tokens) {
      this.tokens = tokens;
      return this;
    }

    /** The retry policy of the client the store builds (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The time source of the client the store builds (retry waits, token expiry). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** A ready client (it must send storage-audience tokens); overrides {@link #tokens}. */
    public Builder client(OkHttpClient client) {
      this.client = client;
      return this;
    }

    public DfsArtifactStore build() {
      return new DfsArtifactStore(this);
    }
  }
}
