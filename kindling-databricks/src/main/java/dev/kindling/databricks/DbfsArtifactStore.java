package dev.kindling.databricks;

import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.service.files.AddBlock;
import com.databricks.sdk.service.files.Close;
import com.databricks.sdk.service.files.Create;
import com.databricks.sdk.service.files.Delete;
import com.databricks.sdk.service.files.FileInfo;
import com.databricks.sdk.service.files.Move;
import com.databricks.sdk.service.files.ReadDbfsRequest;
import com.databricks.sdk.service.files.ReadResponse;
import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An {@link ArtifactStore} on DBFS, through the DBFS API 2.0: an upload streams into a temporary
 * file beside the target ({@code create}, {@code add-block} of at most 1 MB of decoded bytes each,
 * {@code close}), checks its size, then moves it into place, so readers never see a partial file.
 * Reads go in 1 MB windows. Drivers read the files with {@code dbutils.fs} at {@code dbfs:/...}.
 */
final class DbfsArtifactStore implements ArtifactStore {
  /** The most decoded bytes one {@code add-block} or {@code read} may carry. */
  static final int BLOCK_BYTES = 1024 * 1024;

  /** Temporary upload files start with this; listings leave them out. */
  static final String TEMP_PREFIX = ".kindling-upload-";

  private final ArtifactsRoot root;
  private final Supplier<WorkspaceClient> client;

  DbfsArtifactStore(ArtifactsRoot root, Supplier<WorkspaceClient> client) {
    if (root.kind() != ArtifactsRoot.Kind.DBFS) {
      throw new IllegalArgumentException("not a DBFS root: " + root);
    }
    this.root = root;
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public String locate(String path) {
    return root.resolve(StorePaths.check(path));
  }

  private String api(String path) {
    return root.apiPath(StorePaths.check(path));
  }

  @Override
  public boolean exists(String path) {
    return status(api(path)).filter(f -> !Boolean.TRUE.equals(f.getIsDir())).isPresent();
  }

  private Optional<FileInfo> status(String apiPath) {
    try {
      return Optional.of(client.get().dbfs().getStatus(apiPath));
    } catch (DatabricksError e) {
      if (DatabricksErrors.isNotFound(e)) {
        return Optional.empty();
      }
      throw DatabricksErrors.translate("checking dbfs:" + apiPath, e);
    }
  }

  @Override
  public void upload(String path, InputStream data, long size) {
    String target = api(path);
    int slash = target.lastIndexOf('/');
    String tmp =
        target.substring(0, slash + 1)
            + TEMP_PREFIX
            + UUID.randomUUID().toString().substring(0, 8)
            + "-"
            + target.substring(slash + 1);
    WorkspaceClient c = client.get();
    boolean moved = false;
    try {
      long handle =
          DatabricksErrors.call(
              "creating dbfs:" + tmp,
              () -> c.dbfs().create(new Create().setPath(tmp).setOverwrite(true)).getHandle());
      long sent = 0;
      byte[] block = new byte[BLOCK_BYTES];
      try {
        int n;
        while ((n = data.readNBytes(block, 0, block.length)) > 0) {
          String encoded =
              Base64.getEncoder().encodeToString(n == block.length ? block : copy(block, n));
          DatabricksErrors.run(
              "writing dbfs:" + tmp,
              () -> c.dbfs().addBlock(new AddBlock().setHandle(handle).setData(encoded)));
          sent += n;
        }
      } catch (IOException e) {
        throw new KindlingException("reading the data for " + locate(path) + " failed: " + e, e);
      } finally {
        DatabricksErrors.run(
            "closing dbfs:" + tmp, () -> c.dbfs().close(new Close().setHandle(handle)));
      }
      if (sent != size) {
        throw new KindlingException(
            "upload of " + locate(path) + " announced " + size + " bytes but sent " + sent);
      }
      long stored =
          status(tmp).map(f -> f.getFileSize() == null ? -1L : f.getFileSize()).orElse(-1L);
      if (stored != size) {
        throw new KindlingException(
            "upload of "
                + locate(path)
                + " stored "
                + stored
                + " bytes instead of "
                + size
                + " (a retried request?); deploy again");
      }
      if (status(target).isPresent()) {
        DatabricksErrors.run(
            "replacing dbfs:" + target,
            () -> c.dbfs().delete(new Delete().setPath(target).setRecursive(false)));
      }
      DatabricksErrors.run(
          "moving dbfs:" + tmp + " to dbfs:" + target,
          () -> c.dbfs().move(new Move().setSourcePath(tmp).setDestinationPath(target)));
      moved = true;
    } finally {
      if (!moved) {
        try {
          c.dbfs().delete(new Delete().setPath(tmp).setRecursive(false));
        } catch (RuntimeException ignored) {
          // best effort: a stray temporary file is left out of listings and harmless
        }
      }
    }
  }

  private static byte[] copy(byte[] b, int n) {
    byte[] out = new byte[n];
    System.arraycopy(b, 0, out, 0, n);
    return out;
  }

  @Override
  public InputStream read(String path) {
    String p = api(path);
    FileInfo info =
        status(p)
            .filter(f -> !Boolean.TRUE.equals(f.getIsDir()))
            .orElseThrow(() -> new NotFoundException("no file at " + locate(path)));
    long size = info.getFileSize() == null ? Long.MAX_VALUE : info.getFileSize();
    return new BlockStream(p, size);
  }

  @Override
  public List<StoredFile> list(String prefix) {
    String base = api(prefix);
    List<StoredFile> out = new ArrayList<>();
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push(base);
    String rootApi = root.apiPath("");
    while (!dirs.isEmpty()) {
      String dir = dirs.pop();
      try {
        for (FileInfo f : client.get().dbfs().list(dir)) {
          String p = f.getPath();
          if (p == null) {
            continue;
          }
          if (p.startsWith("dbfs:")) {
            p = p.substring("dbfs:".length());
          }
          if (Boolean.TRUE.equals(f.getIsDir())) {
            dirs.push(p);
            continue;
          }
          String rel = StorePaths.relativize(rootApi, p);
          String name = p.substring(p.lastIndexOf('/') + 1);
          if (rel != null && !name.startsWith(TEMP_PREFIX)) {
            out.add(
                new StoredFile(
                    rel,
                    f.getFileSize() == null ? 0 : f.getFileSize(),
                    f.getModificationTime() == null
                        ? null
                        : java.time.Instant.ofEpochMilli(f.getModificationTime())));
          }
        }
      } catch (DatabricksError e) {
        if (!DatabricksErrors.isNotFound(e)) {
          throw DatabricksErrors.translate("listing dbfs:" + dir, e);
        }
      }
    }
    out.sort(Comparator.comparing(StoredFile::path));
    return out;
  }

  /** Listing costs one request per directory here, and every blob has its own directory. */
  @Override
  public boolean listsRecursivelyInOneRequest() {
    return false;
  }

  @Override
  public boolean delete(String path) {
    String p = api(path);
    if (status(p).isEmpty()) {
      return false;
    }
    try {
      client.get().dbfs().delete(new Delete().setPath(p).setRecursive(false));
      return true;
    } catch (DatabricksError e) {
      if (DatabricksErrors.isNotFound(e)) {
        return false;
      }
      throw DatabricksErrors.translate("deleting dbfs:" + p, e);
    }
  }

  /** Reads a DBFS file in windows of {@link #BLOCK_BYTES}. */
  private final class BlockStream extends InputStream {
    private final String path;
    private final long size;
    private long offset;
    private byte[] buffer = new byte[0];
    private int pos;
    private boolean eof;

    BlockStream(String path, long size) {
      this.path = path;
      this.size = size;
    }

    private boolean fill() {
      while (pos >= buffer.length) {
        if (eof || offset >= size) {
          return false;
        }
        ReadResponse r =
            DatabricksErrors.call(
                "reading dbfs:" + path,
                () ->
                    client
                        .get()
                        .dbfs()
                        .read(
                            new ReadDbfsRequest()
                                .setPath(path)
                                .setOffset(offset)
                                .setLength((long) BLOCK_BYTES)));
        long n = r.getBytesRead() == null ? 0 : r.getBytesRead();
        buffer = r.getData() == null ? new byte[0] : Base64.getDecoder().decode(r.getData());
        pos = 0;
        if (n == 0 || buffer.length == 0) {
          eof = true;
          return false;
        }
        offset += buffer.length;
      }
      return true;
    }

    @Override
    public int read() {
      if (!fill()) {
        return -1;
      }
      return buffer[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, buffer.length - pos);
      System.arraycopy(buffer, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
