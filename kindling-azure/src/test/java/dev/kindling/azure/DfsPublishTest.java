package dev.kindling.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.core.config.AuthConfig;
import dev.kindling.core.config.Secret;
import dev.kindling.core.deploy.AppFiles;
import dev.kindling.core.deploy.DeployFile;
import dev.kindling.core.deploy.Release;
import dev.kindling.core.deploy.ReleasePublisher;
import dev.kindling.core.http.RetryPolicy;
import dev.kindling.core.spi.StoredFile;
import dev.kindling.testkit.dfs.DfsEmulator;
import dev.kindling.testkit.emulator.EmulatorServer;
import dev.kindling.testkit.emulator.Fault;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing releases to the DFS emulator, where blobs are written straight to their
 * content-addressed names: an upload that dies leaves an empty file there, and the next deploy must
 * see it as missing and write it again.
 */
class DfsPublishTest {
  private static final String TOKEN = "storage-token-456";
  private static final String ROOT = "abfss://ws1@onelake.dfs.fabric.microsoft.com/lh1/Files/k";

  @TempDir Path data;
  private EmulatorServer server;
  private DfsEmulator dfs;
  private DfsArtifactStore store;
  private ReleasePublisher publisher;

  @BeforeEach
  void start() {
    server = new EmulatorServer("dfs", 0);
    dfs = DfsEmulator.in(data, TOKEN).register(server, "v1");
    dfs.filesystem("ws1");
    store =
        DfsArtifactStore.builder()
            .root(ROOT)
            .endpoint(server.baseUrl())
            .chunkSize(4096)
            .platform("fabric")
            .tokens(AzureCredentials.from(AuthConfig.token(Secret.of(TOKEN))))
            .retryPolicy(
                RetryPolicy.builder().baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build())
            .build();
    publisher =
        new ReleasePublisher(
            store, 4, Clock.fixed(Instant.parse("2026-11-27T07:00:00Z"), ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anInterruptedUploadIsWrittenAgainByTheNextDeploy() throws Exception {
    byte[] big = new byte[10_000];
    new Random(5).nextBytes(big);
    AppFiles app =
        app(file("app.py", "print('hi')\n".getBytes(StandardCharsets.UTF_8)), file("d.bin", big));
    server.inject(Fault.on("PATCH", ".*/blobs/.*/d\\.bin").status(500).always().build());

    assertThatThrownBy(() -> publisher.publish(app)).hasMessageContaining("d.bin");

    String blob = "data-apps/demo/blobs/" + sha(big) + "/d.bin";
    assertThat(store.list("data-apps/demo/blobs"))
        .contains(new StoredFile(blob, 0)); // what the dead upload left: an empty file
    assertThat(store.list("data-apps/demo/releases")).isEmpty();
    server.clearFaults();
    server.journal().clear();

    Release r = publisher.publish(app);

    assertThat(r.blob("d.bin")).isEqualTo(blob);
    assertThat(Files.readAllBytes(dfs.file("ws1", "lh1/Files/k/" + blob))).isEqualTo(big);
    assertThat(store.list("data-apps/demo/blobs")).contains(new StoredFile(blob, big.length));
    assertThat(store.exists(r.manifestPath())).isTrue();
    // the empty leftover was taken for missing: create refused, its size read, overwritten
    assertThat(server.journal().entries(e -> e.path().endsWith("/d.bin")))
        .extracting(e -> e.method() + " " + e.status())
        .startsWith("PUT 409", "HEAD 200", "PUT 201");
  }

  @Test
  void aBlobCompletedByAConcurrentDeployIsKept() throws Exception {
    byte[] bytes = "shared = True\n".getBytes(StandardCharsets.UTF_8);
    AppFiles app = app(file("app.py", bytes));
    String blob = "data-apps/demo/blobs/" + sha(bytes) + "/app.py";
    // the other deploy stored the blob after this one listed the blobs, before it wrote it
    ReleasePublisher racing =
        new ReleasePublisher(
            new DelegatingStore(store) {
              @Override
              public void uploadContentAddressed(String path, InputStream in, long size) {
                if (path.equals(blob)) {
                  store.uploadContentAddressed(path, new ByteArrayInputStream(bytes), size);
                  server.journal().clear();
                }
                super.uploadContentAddressed(path, in, size);
              }
            },
            2,
            Clock.systemUTC());

    Release r = racing.publish(app);

    assertThat(store.read(r.blob("app.py")).readAllBytes()).isEqualTo(bytes);
    assertThat(server.journal().entries(e -> e.path().endsWith("/app.py")))
        .extracting(e -> e.method() + " " + e.status())
        .containsExactly("PUT 409", "HEAD 200", "GET 200");
  }

  private static AppFiles app(DeployFile... files) {
    return new AppFiles(
        "demo",
        "1.0.0",
        AppFiles.Runtime.PYTHON,
        List.of(files),
        Optional.of("app.py"),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        "app.py",
        null,
        null);
  }

  private static DeployFile file(String path, byte[] bytes) {
    String sha = sha(bytes);
    return new DeployFile() {
      @Override
      public String path() {
        return path;
      }

      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public String sha256() {
        return sha;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  private static String sha(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Passes everything to another store. */
  private static class DelegatingStore implements dev.kindling.core.spi.ArtifactStore {
    private final dev.kindling.core.spi.ArtifactStore inner;

    DelegatingStore(dev.kindling.core.spi.ArtifactStore inner) {
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
      inner.upload(path, data, size);
    }

    @Override
    public void uploadContentAddressed(String path, InputStream data, long size) {
      inner.uploadContentAddressed(path, data, size);
    }

    @Override
    public InputStream read(String path) {
      return inner.read(path);
    }

    @Override
    public List<StoredFile> list(String prefix) {
      return inner.list(prefix);
    }

    @Override
    public boolean delete(String path) {
      return inner.delete(path);
    }
  }
}
