package dev.kindling.testkit;

import dev.kindling.core.error.KindlingException;
import dev.kindling.core.error.NotFoundException;
import dev.kindling.core.spi.ArtifactStore;
import dev.kindling.core.spi.StoredFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ArtifactStore} in memory, for tests. Thread-safe. Counts calls and uploaded bytes so
 * tests can assert what a deploy did (e.g. an unchanged redeploy uploads nothing).
 */
public final class InMemoryArtifactStore implements ArtifactStore {
  private final String root;
  private final NavigableMap<String, byte[]> files = new ConcurrentSkipListMap<>();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicLong bytesUploaded = new AtomicLong();
  private final AtomicInteger lists = new AtomicInteger();

  public InMemoryArtifactStore() {
    this("memory://artifacts");
  }

  public InMemoryArtifactStore(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  @Override
  public String locate(String path) {
    return root + "/" + path;
  }

  @Override
  public boolean exists(String path) {
    return files.containsKey(path);
  }

  @Override
  public void upload(String path, InputStream data, long size) {
    byte[] bytes;
    try {
      bytes = data.readAllBytes();
    } catch (IOException e) {
      throw new KindlingException("reading upload of " + path + " failed: " + e.getMessage(), e);
    }
    if (bytes.length != size) {
      throw new KindlingException(
          "upload of " + path + " announced " + size + " bytes but sent " + bytes.length);
    }
    files.put(path, bytes);
    uploads.incrementAndGet();
    bytesUploaded.addAndGet(bytes.length);
  }

  @Override
  public InputStream read(String path) {
    byte[] bytes = files.get(path);
    if (bytes == null) {
      throw new NotFoundException("no file at " + locate(path));
    }
    return new ByteArrayInputStream(bytes);
  }

  @Override
  public List<StoredFile> list(String prefix) {
    lists.incrementAndGet();
    String p = prefix.endsWith("/") ? prefix : prefix + "/";
    return files.subMap(p, true, p + Character.MAX_VALUE, false).entrySet().stream()
        .map(e -> new StoredFile(e.getKey(), e.getValue().length))
        .toList();
  }

  @Override
  public boolean delete(String path) {
    return files.remove(path) != null;
  }

  /** The content of {@code path} as UTF-8 text, if it exists. */
  public Optional<String> text(String path) {
    return Optional.ofNullable(files.get(path)).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** Every stored path and its size. */
  public Map<String, Integer> snapshot() {
    Map<String, Integer> m = new java.util.TreeMap<>();
    files.forEach((k, v) -> m.put(k, v.length));
    return m;
  }

  /** Number of {@link #upload} calls so far. */
  public int uploadCount() {
    return uploads.get();
  }

  /** Bytes uploaded so far. */
  public long bytesUploaded() {
    return bytesUploaded.get();
  }

  /** Number of {@link #list} calls so far. */
  public int listCount() {
    return lists.get();
  }
}
