package dev.kindling.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.error.AuthException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.error.TransientException;
import dev.kindling.core.http.RetryPolicy;
import dev.kindling.core.spi.StoredFile;
import dev.kindling.testkit.dfs.DfsEmulator;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.Fault;
import dev.kindling.testkit.emulator.Journal;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DfsArtifactStore} against {@link DfsEmulator}: the DFS protocol over real HTTP. */
class DfsArtifactStoreTest {
  private static final String TOKEN = "storage-token-123";
  private static final String ROOT =
      "abfss://ws1@onelake.dfs.fabric.microsoft.com/lh1/Files/kindling";

  @TempDir Path data;
  private EmulatorServer server;
  private DfsEmulator dfs;

  @BeforeEach
  void start() {
    server = new EmulatorServer("dfs", 0);
    dfs = DfsEmulator.in(data, TOKEN).register(server, "v1");
    dfs.filesystem("ws1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private DfsArtifactStore store(int chunk) {
    return DfsArtifactStore.builder()
        .root(ROOT)
        .endpoint(server.baseUrl())
        .chunkSize(chunk)
        .platform("fabric")
        .tokens(AzureCredentials.from(AuthConfig.token(Secret.of(TOKEN))))
        .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build())
        .build();
  }

  @Test
  void chunkedUploadIsByteIdenticalAndAppendsContiguously() throws Exception {
    byte[] bytes = new byte[2500];
    new Random(7).nextBytes(bytes);
    DfsArtifactStore store = store(1000);

    store.upload("data-apps/a/blobs/x/big.bin", new ByteArrayInputStream(bytes), bytes.length);

    Path local = dfs.file("ws1", "lh1/Files/kindling/data-apps/a/blobs/x/big.bin");
    assertThat(sha256(Files.readAllBytes(local))).isEqualTo(sha256(bytes));
    try (InputStream in = store.read("data-apps/a/blobs/x/big.bin")) {
      assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(bytes));
    }
    List<Journal.Entry> appends =
        server.journal().entries(e -> e.method().equals("PATCH") && e.query().contains("append"));
    assertThat(appends)
        .extracting(Journal.Entry::query)
        .containsExactly(
            "action=append&position=0",
            "action=append&position=1000",
            "action=append&position=2000&flush=true");
    // the last append flushes: no separate flush request
    assertThat(server.journal().entries(e -> e.query().contains("action=flush"))).isEmpty();
    // written under a temporary name, then renamed into place
    assertThat(server.journal().requests("PUT", ".*/big.bin")).hasSize(1);
    assertThat(server.journal().requests("PUT", ".*/\\.kindling-upload-.*big.bin")).hasSize(1);
    assertThat(store.exists("data-apps/a/blobs/x/big.bin")).isTrue();
    assertThat(store.locate("data-apps/a/blobs/x/big.bin"))
        .isEqualTo(ROOT + "/data-apps/a/blobs/x/big.bin");
  }

  @Test
  void aContentAddressedUploadWritesStraightToItsNameInTwoRequestsWhenSmall() throws Exception {
    DfsArtifactStore store = store(1000);
    byte[] small = "print('hi')\n".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[2500];
    new Random(9).nextBytes(big);

    store.uploadContentAddressed("blobs/s/app.py", new ByteArrayInputStream(small), small.length);
    store.uploadContentAddressed("blobs/b/big.bin", new ByteArrayInputStream(big), big.length);

    assertThat(store.read("blobs/s/app.py").readAllBytes()).isEqualTo(small);
    assertThat(sha256(store.read("blobs/b/big.bin").readAllBytes())).isEqualTo(sha256(big));
    // create (only if absent) and one append that flushes: no temporary name, no rename
    assertThat(
            server
                .journal()
                .entries(e -> e.path().endsWith("/app.py") && !e.method().equals("GET")))
        .extracting(e -> e.method() + " " + e.query())
        .containsExactly("PUT resource=file", "PATCH action=append&position=0&flush=true");
    assertThat(server.journal().entries(e -> e.path().endsWith("/app.py")).get(0).headers())
        .containsEntry("if-none-match", "*");
    assertThat(
            server
                .journal()
                .entries(e -> e.path().endsWith("/big.bin") && !e.method().equals("GET")))
        .extracting(e -> e.method() + " " + e.query())
        .containsExactly(
            "PUT resource=file",
            "PATCH action=append&position=0",
            "PATCH action=append&position=1000",
            "PATCH action=append&position=2000&flush=true");
    assertThat(server.journal().entries(e -> e.path().contains(DfsArtifactStore.TEMP_PREFIX)))
        .isEmpty();
    assertThat(server.journal().entries(e -> e.headers().containsKey("x-ms-rename-source")))
        .isEmpty();
  }

  @Test
  void anInterruptedContentAddressedUploadLeavesAnEmptyFileThatTheNextOneReplaces()
      throws Exception {
    DfsArtifactStore store = store(4);
    byte[] b = "0123456789".getBytes(StandardCharsets.UTF_8);
    // the appends fail for good: the deploy dies before the flush
    server.inject(Fault.on("PATCH", ".*/blob.txt").status(500).always().build());

    assertThatThrownBy(
            () -> store.uploadContentAddressed("b/blob.txt", new ByteArrayInputStream(b), 10))
        .hasMessageContaining("500");
    // appended data is invisible until flushed: what is left is an empty file, listed as such
    assertThat(store.list("b")).containsExactly(new StoredFile("b/blob.txt", 0));
    server.clearFaults();
    server.journal().clear();

    store.uploadContentAddressed("b/blob.txt", new ByteArrayInputStream(b), 10);

    assertThat(store.read("b/blob.txt").readAllBytes()).isEqualTo(b);
    assertThat(store.list("b")).containsExactly(new StoredFile("b/blob.txt", 10));
    // refused create (it exists), its size (0: incomplete), then overwritten
    assertThat(server.journal().entries())
        .extracting(e -> e.method() + " " + e.status())
        .startsWith("PUT 409", "HEAD 200", "PUT 201");
  }

  @Test
  void aCompleteContentAddressedFileIsKeptAndTheDataReadUnsent() throws Exception {
    DfsArtifactStore store = store(4);
    byte[] b = "same bytes".getBytes(StandardCharsets.UTF_8);
    store.uploadContentAddressed("c/f.txt", new ByteArrayInputStream(b), b.length);
    server.journal().clear();
    ByteArrayInputStream again = new ByteArrayInputStream(b);

    // e.g. a concurrent deploy of the same content finished it first
    store.uploadContentAddressed("c/f.txt", again, b.length);

    assertThat(again.available()).isZero();
    assertThat(store.read("c/f.txt").readAllBytes()).isEqualTo(b);
    assertThat(server.journal().entries())
        .extracting(e -> e.method() + " " + e.status())
        .containsExactly("PUT 409", "HEAD 200", "GET 200");
    assertThatThrownBy(
            () -> store.uploadContentAddressed("c/f.txt", new ByteArrayInputStream(b), 99))
        .hasMessageContaining("announced 99 bytes but sent " + b.length);
  }

  @Test
  void aShortContentAddressedUploadCommitsNothing() throws Exception {
    DfsArtifactStore store = store(4);
    assertThatThrownBy(
            () -> store.uploadContentAddressed("s.txt", new ByteArrayInputStream(new byte[3]), 10))
        .hasMessageContaining("announced 10 bytes but sent 3");
    assertThat(store.list("")).containsExactly(new StoredFile("s.txt", 0));
  }

  @Test
  void emptyAndExactMultipleSizes() throws Exception {
    DfsArtifactStore store = store(4);
    store.upload("e.txt", InputStream.nullInputStream(), 0);
    store.upload(
        "eight.txt", new ByteArrayInputStream("12345678".getBytes(StandardCharsets.UTF_8)), 8);
    assertThat(store.read("e.txt").readAllBytes()).isEmpty();
    assertThat(new String(store.read("eight.txt").readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("12345678");
  }

  @Test
  void shortInputFailsAndLeavesNothingBehind() {
    DfsArtifactStore store = store(4);
    assertThatThrownBy(() -> store.upload("short.txt", new ByteArrayInputStream(new byte[3]), 10))
        .hasMessageContaining("announced 10 bytes but sent 3");
    assertThat(store.exists("short.txt")).isFalse();
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void listsRecursivelyAcrossContinuationPages() {
    DfsArtifactStore store = store(1024);
    for (int i = 0; i < 7; i++) {
      byte[] b = ("file " + i).getBytes(StandardCharsets.UTF_8);
      store.upload(
          "data-apps/a/d" + (i % 2) + "/f" + i + ".txt", new ByteArrayInputStream(b), b.length);
    }
    dfs.pageSize(3);
    server.journal().clear();

    List<StoredFile> files = store.list("data-apps/a");

    assertThat(files).hasSize(7);
    assertThat(files.get(0)).isEqualTo(new StoredFile("data-apps/a/d0/f0.txt", 6));
    assertThat(server.journal().requests("GET", "/ws1").size()).isGreaterThan(2);
    assertThat(server.journal().requests("GET", "/ws1"))
        .anySatisfy(e -> assertThat(e.query()).contains("continuation="));
    assertThat(store.list("no/such/dir")).isEmpty();
  }

  @Test
  void notFound() {
    DfsArtifactStore store = store(1024);
    assertThat(store.exists("missing.txt")).isFalse();
    assertThatThrownBy(() -> store.read("missing.txt"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(ROOT + "/missing.txt");
    assertThat(store.delete("missing.txt")).isFalse();
    byte[] b = {1, 2, 3};
    store.upload("x.bin", new ByteArrayInputStream(b), 3);
    assertThat(store.delete("x.bin")).isTrue();
    assertThat(store.exists("x.bin")).isFalse();
  }

  @Test
  void idempotentCallsAreRetriedOnFaults() throws Exception {
    DfsArtifactStore store = store(2);
    server.inject(Fault.on("PUT", ".*").status(503).times(1).build());
    server.inject(Fault.on("PATCH", ".*").drop().times(1).build());
    server.inject(Fault.on("GET", ".*").status(503).times(2).build());
    server.inject(Fault.on("HEAD", ".*").status(429).header("Retry-After", "0").build());

    byte[] b = "hello".getBytes(StandardCharsets.UTF_8);
    store.upload("r.txt", new ByteArrayInputStream(b), b.length);

    assertThat(store.exists("r.txt")).isTrue();
    assertThat(store.read("r.txt").readAllBytes()).isEqualTo(b);
    assertThat(server.journal().entries(e -> !e.fault().isEmpty())).hasSize(5);
  }

  @Test
  void anAppendAndFlushWhoseAnswerIsLostIsNotAFailure() throws Exception {
    // The service applies the last append (and so commits the file) but the answer never arrives;
    // the resent append is then refused, its position being behind the end. The file is complete.
    DfsArtifactStore store = store(4);
    server.inject(Fault.on("PATCH", ".*").loseResponse().times(1).build());

    byte[] b = "abc".getBytes(StandardCharsets.UTF_8);
    store.upload("lost.txt", new ByteArrayInputStream(b), b.length);

    assertThat(store.read("lost.txt").readAllBytes()).isEqualTo(b);
    assertThat(server.journal().requests("PATCH", ".*"))
        .extracting(Journal.Entry::status)
        .containsExactly(200, 400);
  }

  @Test
  void persistentFailureSurfacesTyped() {
    DfsArtifactStore store = store(2);
    server.inject(Fault.on("HEAD", ".*").status(503).always().build());
    assertThatThrownBy(() -> store.exists("x"))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("fabric")
        .hasMessageContaining("503");
  }

  @Test
  void wrongTokenIsAnAuthErrorWithoutTheToken() {
    DfsArtifactStore store =
        DfsArtifactStore.builder()
            .root(ROOT)
            .endpoint(server.baseUrl())
            .tokens(AzureCredentials.from(AuthConfig.token(Secret.of("wrong-secret-token"))))
            .build();
    assertThatThrownBy(() -> store.exists("x"))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("AuthenticationFailed")
        .message()
        .doesNotContain("wrong-secret-token");
  }

  @Test
  void emulatorRejectsAppendsAndFlushesAtTheWrongPosition() throws Exception {
    okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
    String base = server.baseUrl() + "/ws1/p/f.txt";
    okhttp3.Headers h =
        okhttp3.Headers.of("Authorization", "Bearer " + TOKEN, "x-ms-version", "2023-11-03");
    okhttp3.RequestBody empty = okhttp3.RequestBody.create(new byte[0], null);
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(base + "?resource=file")
                    .headers(h)
                    .put(empty)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(201);
    }
    okhttp3.RequestBody abc =
        okhttp3.RequestBody.create("abc".getBytes(StandardCharsets.UTF_8), null);
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(base + "?action=append&position=5")
                    .headers(h)
                    .patch(abc)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(400);
    }
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(base + "?action=append&position=0")
                    .headers(h)
                    .patch(abc)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(202);
    }
    // not flushed: invisible
    assertThat(Files.size(dfs.file("ws1", "p/f.txt"))).isZero();
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(base + "?action=flush&position=2")
                    .headers(h)
                    .patch(empty)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.header("x-ms-error-code")).isEqualTo("InvalidFlushPosition");
    }
    try (var r =
        http.newCall(
                new okhttp3.Request.Builder()
                    .url(base + "?action=flush&position=3")
                    .headers(h)
                    .patch(empty)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(Files.readString(dfs.file("ws1", "p/f.txt"))).isEqualTo("abc");
  }

  @Test
  void staticTokensByAudience() {
    var tokens =
        AzureCredentials.from(
            new AuthConfig(
                AuthConfig.Method.TOKEN,
                java.util.Optional.of(Secret.of("api")),
                java.util.Optional.of(Secret.of("storage")),
                null,
                null,
                null,
                null));
    assertThat(tokens.token("https://api.fabric.microsoft.com/.default").value().reveal())
        .isEqualTo("api");
    assertThat(tokens.token(AzureCredentials.STORAGE_SCOPE).value().reveal()).isEqualTo("storage");
    assertThat(tokens.toString()).doesNotContain("api").doesNotContain("storage");
  }

  @Test
  void azureCredentialsAreBuiltLazily() {
    AuthConfig sp =
        new AuthConfig(
            AuthConfig.Method.CLIENT_SECRET,
            null,
            null,
            java.util.Optional.of("tenant-1"),
            java.util.Optional.of("client-1"),
            java.util.Optional.of(Secret.of("very-secret")),
            null);
    var provider = AzureCredentials.from(sp); // no I/O, no exception
    assertThat(provider.toString())
        .contains("ClientSecretCredential")
        .doesNotContain("very-secret");
    assertThat(AzureCredentials.from(AuthConfig.defaults()).toString())
        .contains("DefaultAzureCredential");
    assertThatThrownBy(
            () ->
                AzureCredentials.from(
                    new AuthConfig(
                        AuthConfig.Method.CLIENT_SECRET, null, null, null, null, null, null)))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("tenant_id");
  }

  @Test
  void uploadsShareOneBufferBudgetAndAnUploadWaitsUntilItsBufferFits() throws Exception {
    DfsArtifactStore store =
        DfsArtifactStore.builder()
            .root(ROOT)
            .endpoint(server.baseUrl())
            .chunkSize(1024)
            .bufferBudget(2048) // two chunk buffers
            .platform("fabric")
            .tokens(AzureCredentials.from(AuthConfig.token(Secret.of(TOKEN))))
            .build();
    assertThat(store.uploadConcurrency()).isEqualTo(DfsArtifactStore.UPLOAD_CONCURRENCY);
    byte[] bytes = new byte[2500];
    new Random(11).nextBytes(bytes);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      // a and b each hold a one-chunk buffer while their stream stalls after its first chunk
      Future<?> a =
          pool.submit(
              () -> store.uploadContentAddressed("x/a.bin", stalling(bytes, release), 2500));
      Future<?> b =
          pool.submit(
              () -> store.uploadContentAddressed("x/b.bin", stalling(bytes, release), 2500));
      waitUntil(() -> server.journal().requests("PATCH", ".*/x/[ab]\\.bin").size() == 2);
      Future<?> c =
          pool.submit(
              () -> store.uploadContentAddressed("x/c.bin", new ByteArrayInputStream(bytes), 2500));

      waitUntil(() -> store.uploadsWaitingForBuffers() == 1);
      assertThat(server.journal().requests("PATCH", ".*/x/c\\.bin")).isEmpty();

      release.countDown();
      for (Future<?> f : List.of(a, b, c)) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    for (String name : List.of("a", "b", "c")) {
      Path local = dfs.file("ws1", "lh1/Files/kindling/x/" + name + ".bin");
      assertThat(sha256(Files.readAllBytes(local))).isEqualTo(sha256(bytes));
    }
    assertThat(store.uploadsWaitingForBuffers()).isZero();
  }

  /** Yields the first 1,024 bytes, then waits for {@code release} before the rest. */
  private static InputStream stalling(byte[] bytes, CountDownLatch release) {
    return new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
      private int read;

      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        if (read >= 1024) {
          try {
            if (!release.await(10, TimeUnit.SECONDS)) {
              throw new java.io.IOException("never released");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
          }
        }
        int n = super.read(b, off, read < 1024 ? Math.min(len, 1024 - read) : len);
        read += Math.max(n, 0);
        return n;
      }
    };
  }

  /** Waits (bounded) until the condition holds; the upload threads make it true. */
  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10 s");
      }
      Thread.onSpinWait();
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
